/** The report's data, as data.ts built it (the types are declared there once). */
import type { FlowDetail, ReportPayload } from '../html/data.js';
import { byId } from './dom.js';

export type { FlowDetail, ReportPayload };
export type Finding = ReportPayload['findings'][number];
export type Scatter = NonNullable<ReportPayload['scatter']>;

export const D: ReportPayload = JSON.parse(byId('report-data').textContent ?? 'null');

export const VERDICT_COLOR: Record<string, string> = {
  beacon: '#d62728',
  'active-c2': '#ff7f0e',
  strobe: '#9467bd',
  'long-connection': '#1f77b4',
  anomaly: '#c9a400',
  'dns-tunnel': '#8c564b',
  dga: '#e377c2',
};
export const UNFLAGGED_COLOR = '#9aa0a6';
export const IGNORED_COLOR = '#cfd3d7';
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;

export function pairText(f: Finding): string {
  const br = (a: string) => (a.includes(':') ? `[${a}]` : a);
  const tail = `${f.dport === null ? '' : `:${f.dport}`}${f.proto ? `/${f.proto}` : ''}`;
  // through an explicit proxy the port is the proxy's
  return f.via ? `${f.src} → ${br(f.dst)} via ${br(f.via)}${tail}` : `${f.src} → ${br(f.dst)}${tail}`;
}
