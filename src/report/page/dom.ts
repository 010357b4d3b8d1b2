/**
 * DOM helpers. Every value in the payload comes from a log an attacker may write: text only ever
 * enters the page as text nodes or textContent (never innerHTML), and ECharts tooltips, which are
 * HTML, escape it with `esc`.
 */

type Child = Node | string | number | null | undefined | false;

export interface Props {
  text?: string | number;
  className?: string;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (e: HTMLElementEventMap[K]) => void }>;
  [attribute: string]: unknown;
}

/** Element with properties, attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'className') node.className = String(v);
    else if (k === 'on') {
      for (const [type, handler] of Object.entries(v as Record<string, EventListener>))
        node.addEventListener(type, handler);
    } else node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear<T extends Node>(node: T): T {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** The element with this id; the page's markup (template.ts) has every id the script asks for. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`report page: no element #${id}`);
  return node as T;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For ECharts tooltips, which are HTML. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

export function badge(kind: 'sev' | 'verdict', value: string): HTMLSpanElement {
  return el('span', { className: `badge ${kind}-${value}`, text: value });
}
