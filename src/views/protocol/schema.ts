// A tiny runtime schema library for webview <-> host messages. Each schema both validates an
// unknown value and carries its TypeScript type (Infer<typeof s>), so the protocol's types and
// its runtime checks are written once and cannot drift apart. It is bundled into the webview too,
// which is why it has no dependencies and does not import `vscode`.

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Schema<T> {
  /** Checks `value`; on failure the error names the path of the first bad field. */
  check(value: unknown, path?: string): Result<T>;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (path: string, what: string): Result<never> => ({ ok: false, error: `${path || 'message'}: ${what}` });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : `a ${typeof value}`;
}

/** A string of at most `max` characters (messages from a webview are bounded: a runaway page must not exhaust the host). */
export function str(max = 100_000): Schema<string> {
  return {
    check: (v, p = '') => typeof v !== 'string' ? fail(p, `expected a string, got ${describe(v)}`)
      : v.length > max ? fail(p, `string longer than ${max} characters`) : ok(v),
  };
}

export function int(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Schema<number> {
  return {
    check: (v, p = '') => typeof v !== 'number' || !Number.isInteger(v) ? fail(p, `expected an integer, got ${describe(v)}`)
      : v < min || v > max ? fail(p, `integer ${v} outside ${min}..${max}`) : ok(v),
  };
}

export function num(): Schema<number> {
  return { check: (v, p = '') => typeof v === 'number' && Number.isFinite(v) ? ok(v) : fail(p, `expected a number, got ${describe(v)}`) };
}

export function bool(): Schema<boolean> {
  return { check: (v, p = '') => typeof v === 'boolean' ? ok(v) : fail(p, `expected a boolean, got ${describe(v)}`) };
}

export function lit<const L extends string | number | boolean>(literal: L): Schema<L> {
  return { check: (v, p = '') => v === literal ? ok(literal) : fail(p, `expected ${JSON.stringify(literal)}, got ${describe(v)}`) };
}

export function oneOf<const L extends string>(...values: L[]): Schema<L> {
  return {
    check: (v, p = '') => typeof v === 'string' && (values as string[]).includes(v) ? ok(v as L)
      : fail(p, `expected one of ${values.join(', ')}, got ${describe(v)}`),
  };
}

export function nullable<T>(s: Schema<T>): Schema<T | null> {
  return { check: (v, p = '') => v === null ? ok(null) : s.check(v, p) };
}

export function optional<T>(s: Schema<T>): Schema<T | undefined> {
  return { check: (v, p = '') => v === undefined ? ok(undefined) : s.check(v, p) };
}

export function arr<T>(s: Schema<T>, maxItems = 10_000): Schema<T[]> {
  return {
    check: (v, p = '') => {
      if (!Array.isArray(v)) return fail(p, `expected an array, got ${describe(v)}`);
      if (v.length > maxItems) return fail(p, `more than ${maxItems} items`);
      const out: T[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = s.check(v[i], `${p}[${i}]`);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return ok(out);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** An object with exactly these fields: unknown fields are rejected (they would be a protocol drift). */
export function obj<S extends Shape>(shape: S): Schema<{ [K in keyof ObjectOf<S>]: ObjectOf<S>[K] }> {
  return {
    check: (v, p = '') => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, `expected an object, got ${describe(v)}`);
      const rec = v as Record<string, unknown>;
      for (const k of Object.keys(rec)) if (!(k in shape)) return fail(p ? `${p}.${k}` : k, 'unexpected field');
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(shape)) {
        const r = s.check(rec[k], p ? `${p}.${k}` : k);
        if (!r.ok) return r;
        if (r.value !== undefined) out[k] = r.value;
      }
      return ok(out as { [K in keyof ObjectOf<S>]: ObjectOf<S>[K] });
    },
  };
}

/**
 * A discriminated union on `field`: the discriminant picks the one schema to check, so an error
 * message names the right variant's bad field instead of "matched none of 20 variants".
 */
export function tagged<F extends string, V extends Record<string, Schema<Record<string, unknown>>>>(field: F, variants: V): Schema<Infer<V[keyof V]>> {
  return {
    check: (v, p = '') => {
      if (typeof v !== 'object' || v === null) return fail(p, `expected an object, got ${describe(v)}`);
      const tag = (v as Record<string, unknown>)[field];
      if (typeof tag !== 'string' || !Object.hasOwn(variants, tag)) return fail(p ? `${p}.${field}` : field, `unknown ${field} ${describe(tag)}`);
      return variants[tag]!.check(v, p) as Result<Infer<V[keyof V]>>;
    },
  };
}
