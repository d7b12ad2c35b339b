import { runConfigSchema, type RunConfig } from '../../../shared/config.js';
import type { EnumSchema, Issue, NullableSchema, NumberSchema, ObjectSchema, Schema, UnionSchema } from '../../../shared/schema.js';
import { parse } from '../../../shared/schema.js';

// The New-run form is generated from the shared run-config schema: labels,
// help, limits and validation come from one place, the same one the router
// validates with.

export type Field =
  | {
      key: string;
      kind: 'number';
      label: string;
      help?: string;
      min?: number;
      max?: number;
      integer: boolean;
      /** Empty input means null (e.g. "all images"). */
      nullable: boolean;
    }
  | { key: string; kind: 'enum'; label: string; help?: string; values: readonly string[] }
  | { key: string; kind: 'dataset'; label: string }
  | { key: string; kind: 'list'; label: string };

function fieldOf(key: string, schema: Schema<unknown>): Field {
  const label = schema.meta.label ?? key;
  const help = schema.meta.help;
  let inner = schema;
  let nullable = false;
  if (schema.kind === 'nullable') {
    inner = (schema as NullableSchema<unknown>).inner;
    nullable = true;
  }
  switch (inner.kind) {
    case 'number': {
      const n = inner as NumberSchema;
      return { key, kind: 'number', label, help, min: n.min, max: n.max, integer: n.integer, nullable };
    }
    case 'enum':
      return { key, kind: 'enum', label, help, values: (inner as EnumSchema<string>).values };
    case 'union':
      return { key, kind: 'dataset', label: schema.meta.label ?? 'Dataset' };
    default:
      return { key, kind: 'list', label };
  }
}

export function configFields(schema: ObjectSchema<Record<string, Schema<unknown>>> = runConfigSchema): Field[] {
  return Object.entries(schema.shape).map(([key, s]) => fieldOf(key, s));
}

/** What the user typed into a number input, as the config value (or why not). */
export function readNumber(field: Extract<Field, { kind: 'number' }>, text: string): { value: number | null } | { error: string } {
  const t = text.trim();
  if (t === '') return field.nullable ? { value: null } : { error: `${field.label} is required` };
  const v = Number(t);
  if (!Number.isFinite(v)) return { error: `${field.label} must be a number` };
  return { value: v };
}

/**
 * Validation messages keyed by top-level field, with the field's label in
 * place of its key so the message reads as the form does.
 */
export function validateConfig(value: unknown): { ok: true; config: RunConfig } | { ok: false; byField: Record<string, string[]> } {
  const r = parse(runConfigSchema, value);
  if (r.ok) return { ok: true, config: r.value };
  return { ok: false, byField: groupIssues(r.issues) };
}

export function groupIssues(issues: readonly Issue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) {
    const key = i.path.split(/[.[]/)[0] || '_';
    const label = labelAt(runConfigSchema, i.path);
    const msg = label ? i.message.replace(new RegExp(`^${escape(i.path)}(?![\\w.[])`), label) : i.message;
    (out[key] ??= []).push(msg);
  }
  return out;
}

/** The label of the field at a dotted path, looking through nullable, optional and union wrappers. */
export function labelAt(schema: Schema<unknown>, path: string): string | undefined {
  const parts = path.split('.').filter(Boolean);
  let found: string | undefined;
  const walk = (s: Schema<unknown>, rest: string[]): void => {
    if (rest.length === 0) {
      found ??= s.meta.label;
      return;
    }
    if (s.kind === 'nullable') return walk((s as NullableSchema<unknown>).inner, rest);
    if (s.kind === 'optional') return walk((s as unknown as { inner: Schema<unknown> }).inner, rest);
    if (s.kind === 'union') return (s as UnionSchema<unknown>).members.forEach((m) => walk(m, rest));
    if (s.kind === 'object') {
      const next = (s as ObjectSchema<Record<string, Schema<unknown>>>).shape[rest[0]];
      if (next) walk(next, rest.slice(1));
    }
  };
  walk(schema, parts);
  return found;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
