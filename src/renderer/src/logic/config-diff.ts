export interface DiffRow {
  /** Dotted path of the config field, e.g. "dataset.kind". */
  path: string;
  /** One value per compared run, in the runs' order; undefined where a run lacks the field. */
  values: unknown[];
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

/** Fields whose values differ between any of the configs; equal fields are left out. */
export function configDiff(configs: readonly unknown[]): DiffRow[] {
  const flat = configs.map((c) => {
    const m = new Map<string, unknown>();
    flatten(c, '', m);
    return m;
  });
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  const rows: DiffRow[] = [];
  for (const path of paths) {
    const values = flat.map((m) => m.get(path));
    const keys = values.map((v) => JSON.stringify(v));
    if (new Set(keys).size > 1) rows.push({ path, values });
  }
  return rows;
}

/** Exclusion lists can hold thousands of ids: show their size, not their contents. */
export function displayValue(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return 'all';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : `${v.length} item${v.length === 1 ? '' : 's'}`;
  return String(v);
}
