export declare const PAGE_BUNDLE: string;
export declare function buildPage(): Promise<{ path: string; bytes: number }>;
