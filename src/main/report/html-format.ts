import { esc } from './escape.js';

// Small formatting pieces shared by the report's sections. Every value that
// reaches HTML passes through esc() here or at its call site.

export const DASH = '&ndash;';

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${(v * 100).toFixed(digits)}%`;
}

export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

/** A value of any type as escaped text (configs hold strings, numbers, booleans, null, lists). */
export function text(v: unknown): string {
  if (v === null || v === undefined) return DASH;
  return esc(typeof v === 'object' ? JSON.stringify(v) : String(v));
}

export interface Column {
  head: string;
  numeric?: boolean;
}

/** Head labels are escaped here; cells are HTML already. */
export function table(columns: (Column | string)[], rows: string[][], className = ''): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { head: c } : c));
  const cls = (c: Column) => (c.numeric ? ' class="num"' : '');
  const head = cols.map((c) => `<th${cls(c)}>${esc(c.head)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell, i) => `<td${cols[i] ? cls(cols[i]) : ''}>${cell}</td>`).join('')}</tr>`).join('');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function empty(message: string): string {
  return `<p class="empty">${esc(message)}</p>`;
}

/** Flattens nested objects to dotted keys, so a config reads as one table. */
export function flatten(value: unknown, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, value]);
  }
  return out;
}
