// echarts-gl ships no type declarations; these are the two installers the page registers.
declare module 'echarts-gl/lib/chart/scatter3D/install.js' {
  export function install(registers: unknown): void;
}
declare module 'echarts-gl/lib/component/grid3D/install.js' {
  export function install(registers: unknown): void;
}
