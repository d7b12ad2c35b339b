// A small runtime schema: it validates every message at a transport edge and
// describes the run config so the renderer can generate its form from it.
// Written here (not a dependency) so the same descriptors serve both jobs.

export type Issue = { path: string; message: string };
export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

export interface Schema<T> {
  readonly kind: string;
  readonly meta: FieldMeta;
  check(value: unknown, path: string, issues: Issue[]): T | undefined;
}

export interface FieldMeta {
  label?: string;
  help?: string;
  unit?: string;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(path: string): string {
  return path === '' ? 'value' : path;
}

export interface NumberSchema extends Schema<number> {
  readonly kind: 'number';
  readonly min?: number;
  readonly max?: number;
  readonly integer: boolean;
}

export function number(opts: { min?: number; max?: number; integer?: boolean } & FieldMeta = {}): NumberSchema {
  const { min, max, integer = false, ...meta } = opts;
  return {
    kind: 'number',
    meta,
    min,
    max,
    integer,
    check(value, path, issues) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        issues.push({ path, message: `${describe(path)} must be a finite number` });
        return undefined;
      }
      if (integer && !Number.isInteger(value)) {
        issues.push({ path, message: `${describe(path)} must be a whole number` });
        return undefined;
      }
      if (min !== undefined && value < min) {
        issues.push({ path, message: `${describe(path)} must be at least ${min}` });
        return undefined;
      }
      if (max !== undefined && value > max) {
        issues.push({ path, message: `${describe(path)} must be at most ${max}` });
        return undefined;
      }
      return value;
    },
  };
}

export interface StringSchema extends Schema<string> {
  readonly kind: 'string';
  readonly maxLength: number;
}

export function string(opts: { minLength?: number; maxLength?: number; pattern?: RegExp } & FieldMeta = {}): StringSchema {
  const { minLength = 0, maxLength = 10_000, pattern, ...meta } = opts;
  return {
    kind: 'string',
    meta,
    maxLength,
    check(value, path, issues) {
      if (typeof value !== 'string') {
        issues.push({ path, message: `${describe(path)} must be a string` });
        return undefined;
      }
      if (value.length < minLength) {
        issues.push({ path, message: `${describe(path)} must have at least ${minLength} characters` });
        return undefined;
      }
      if (value.length > maxLength) {
        issues.push({ path, message: `${describe(path)} must have at most ${maxLength} characters` });
        return undefined;
      }
      if (pattern && !pattern.test(value)) {
        issues.push({ path, message: `${describe(path)} has an invalid format` });
        return undefined;
      }
      return value;
    },
  };
}

export function boolean(meta: FieldMeta = {}): Schema<boolean> {
  return {
    kind: 'boolean',
    meta,
    check(value, path, issues) {
      if (typeof value !== 'boolean') {
        issues.push({ path, message: `${describe(path)} must be true or false` });
        return undefined;
      }
      return value;
    },
  };
}

export interface EnumSchema<T extends string> extends Schema<T> {
  readonly kind: 'enum';
  readonly values: readonly T[];
}

export function oneOf<const T extends string>(values: readonly T[], meta: FieldMeta = {}): EnumSchema<T> {
  return {
    kind: 'enum',
    meta,
    values,
    check(value, path, issues) {
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
        issues.push({ path, message: `${describe(path)} must be one of ${values.join(', ')}` });
        return undefined;
      }
      return value as T;
    },
  };
}

export function literal<const T extends string | number | boolean>(expected: T): Schema<T> {
  return {
    kind: 'literal',
    meta: {},
    check(value, path, issues) {
      if (value !== expected) {
        issues.push({ path, message: `${describe(path)} must be ${JSON.stringify(expected)}` });
        return undefined;
      }
      return expected;
    },
  };
}

export function array<T>(item: Schema<T>, opts: { maxItems?: number } & FieldMeta = {}): Schema<T[]> {
  const { maxItems = 1_000_000, ...meta } = opts;
  return {
    kind: 'array',
    meta,
    check(value, path, issues) {
      if (!Array.isArray(value)) {
        issues.push({ path, message: `${describe(path)} must be a list` });
        return undefined;
      }
      if (value.length > maxItems) {
        issues.push({ path, message: `${describe(path)} must have at most ${maxItems} items` });
        return undefined;
      }
      const out: T[] = [];
      const before = issues.length;
      value.forEach((v, i) => {
        const r = item.check(v, `${path}[${i}]`, issues);
        if (r !== undefined) out.push(r);
      });
      return issues.length === before ? out : undefined;
    },
  };
}

export interface NullableSchema<T> extends Schema<T | null> {
  readonly kind: 'nullable';
  readonly inner: Schema<T>;
}

export function nullable<T>(inner: Schema<T>): NullableSchema<T> {
  return {
    kind: 'nullable',
    meta: inner.meta,
    inner,
    check(value, path, issues) {
      if (value === null) return null;
      return inner.check(value, path, issues);
    },
  };
}

const OPTIONAL = Symbol('optional');
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly [OPTIONAL]: true;
  readonly inner: Schema<T>;
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    kind: 'optional',
    meta: inner.meta,
    inner,
    [OPTIONAL]: true,
    check(value, path, issues) {
      if (value === undefined) return undefined;
      return inner.check(value, path, issues);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

export interface ObjectSchema<S extends Shape> extends Schema<ObjectOf<S>> {
  readonly kind: 'object';
  readonly shape: S;
}

/** Unknown keys are an error: a message with fields we do not expect is malformed. */
export function object<S extends Shape>(shape: S, meta: FieldMeta = {}): ObjectSchema<S> {
  return {
    kind: 'object',
    meta,
    shape,
    check(value, path, issues) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, message: `${describe(path)} must be an object` });
        return undefined;
      }
      const input = value as Record<string, unknown>;
      const before = issues.length;
      for (const key of Object.keys(input)) {
        if (!(key in shape)) issues.push({ path: join(path, key), message: `unknown field ${join(path, key)}` });
      }
      const out: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const isOptional = OPTIONAL in schema;
        if (!(key in input) || input[key] === undefined) {
          if (!isOptional) issues.push({ path: join(path, key), message: `${join(path, key)} is required` });
          continue;
        }
        const r = schema.check(input[key], join(path, key), issues);
        if (r !== undefined) out[key] = r;
      }
      return issues.length === before ? (out as ObjectOf<S>) : undefined;
    },
  };
}

/** Discriminated by the `kind` field of each member object. */
export interface UnionSchema<T> extends Schema<T> {
  readonly kind: 'union';
  readonly members: readonly Schema<T>[];
}

export function union<T>(members: Schema<T>[], meta: FieldMeta = {}): UnionSchema<T> {
  return {
    kind: 'union',
    meta,
    members,
    check(value, path, issues) {
      let best: Issue[] | undefined;
      for (const m of members) {
        const local: Issue[] = [];
        const r = m.check(value, path, local);
        if (local.length === 0) return r;
        if (!best || local.length < best.length) best = local;
      }
      issues.push(...(best ?? [{ path, message: `${describe(path)} matches no allowed form` }]));
      return undefined;
    },
  };
}

export function record<T>(item: Schema<T>, meta: FieldMeta = {}): Schema<Record<string, T>> {
  return {
    kind: 'record',
    meta,
    check(value, path, issues) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, message: `${describe(path)} must be an object` });
        return undefined;
      }
      const out: Record<string, T> = {};
      const before = issues.length;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const r = item.check(v, join(path, k), issues);
        if (r !== undefined) out[k] = r;
      }
      return issues.length === before ? out : undefined;
    },
  };
}

export function unknownValue(): Schema<unknown> {
  return { kind: 'unknown', meta: {}, check: (value) => value };
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function parse<T>(schema: Schema<T>, value: unknown): Result<T> {
  const issues: Issue[] = [];
  const v = schema.check(value, '', issues);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: v as T };
}

export function formatIssues(issues: Issue[]): string {
  return issues.map((i) => i.message).join('; ');
}
