import { scanCanonical } from './canonical-json-scan';
import { LedgerException } from './ledger.exception';

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Object members sorted by the UTF-16 code units of
 * their names, numbers in ECMAScript Number-to-String form, strings escaped as JSON.stringify does
 * (which is what RFC 8785 §3.2.2.2 prescribes), no whitespace.
 */
export const MAX_CANONICAL_DEPTH = 256;

// Lone (unpaired) UTF-16 surrogates: RFC 8785 §3.2.2.2 requires the input to be valid Unicode.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function reject(message: string, path: string): never {
  throw new LedgerException('non-canonical-value', `cannot canonicalize ${path || 'value'}: ${message}`);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) reject('string holds an unpaired UTF-16 surrogate', path);
  return JSON.stringify(value);
}

function serializeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) reject(`${String(value)} is not a finite number`, path);
  // ECMAScript Number::toString, as RFC 8785 §3.2.2.3 requires; String(-0) is "0".
  return String(value);
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, path);
    case 'number':
      return serializeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return serializeContainer(value, path, ancestors);
    default:
      return reject(`${typeof value} has no JSON form`, path);
  }
}

function serializeContainer(value: object, path: string, ancestors: Set<object>): string {
  if (ancestors.has(value)) reject('cycle', path);
  if (ancestors.size >= MAX_CANONICAL_DEPTH) reject(`nested deeper than ${MAX_CANONICAL_DEPTH}`, path);
  ancestors.add(value);
  const out = Array.isArray(value) ? serializeArray(value, path, ancestors) : serializeObject(value, path, ancestors);
  ancestors.delete(value);
  return out;
}

function serializeArray(value: readonly unknown[], path: string, ancestors: Set<object>): string {
  const parts: string[] = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) parts[i] = serialize(value[i], `${path}[${i}]`, ancestors);
  return `[${parts.join(',')}]`;
}

function serializeObject(value: object, path: string, ancestors: Set<object>): string {
  if (!isPlainObject(value)) {
    const name = (value.constructor as { name?: string } | undefined)?.name ?? 'object';
    reject(`${name} is not a plain object (pass dates as ISO strings)`, path);
  }
  if (Object.getOwnPropertySymbols(value).length > 0) reject('object has symbol keys', path);
  const keys = Object.keys(value).sort();
  const parts: string[] = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    parts[i] = `${serializeString(key, path)}:${serialize(value[key], `${path}.${key}`, ancestors)}`;
  }
  return `{${parts.join(',')}}`;
}

/**
 * The fast path. It builds no error paths and keeps no cycle set (a cycle exceeds the depth limit),
 * and remembers the canonical form of every deep-frozen container it meets: such a value cannot
 * change, and the gate freezes the manifests it reuses from one commit to the next, so hashing a
 * policy input does not serialise the same objects again and again. On anything it would refuse it
 * gives up, and the checking path above produces the precise error.
 */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp();
const frozenForms = new WeakMap<object, string>();
/** Out-parameter of fast(): whether the value it just serialised is deep-frozen (primitives are). */
let lastFrozen = true;

function fastString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw GIVE_UP;
  return JSON.stringify(value);
}

function fast(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      lastFrozen = true;
      return fastString(value);
    case 'number':
      lastFrozen = true;
      if (!Number.isFinite(value)) throw GIVE_UP;
      return String(value);
    case 'boolean':
      lastFrozen = true;
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? ((lastFrozen = true), 'null') : fastContainer(value, depth);
    default:
      throw GIVE_UP;
  }
}

function fastContainer(value: object, depth: number): string {
  const known = frozenForms.get(value);
  if (known !== undefined) {
    lastFrozen = true;
    return known;
  }
  if (depth >= MAX_CANONICAL_DEPTH) throw GIVE_UP;
  let frozen = Object.isFrozen(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += fast(value[i], depth + 1);
      frozen &&= lastFrozen;
    }
    out += ']';
  } else {
    if (!isPlainObject(value) || Object.getOwnPropertySymbols(value).length > 0) throw GIVE_UP;
    const keys = Object.keys(value).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out += ',';
      const key = keys[i];
      out += `${fastString(key)}:${fast((value as Record<string, unknown>)[key], depth + 1)}`;
      frozen &&= lastFrozen;
    }
    out += '}';
  }
  if (frozen) frozenForms.set(value, out);
  lastFrozen = frozen;
  return out;
}

/** The RFC 8785 canonical form of `value`; throws LedgerException `non-canonical-value`. */
export function canonicalize(value: unknown): string {
  try {
    return fast(value, 0);
  } catch (err) {
    if (!(err instanceof GiveUp)) throw err;
    return serialize(value, '', new Set());
  }
}

/** The canonical form as UTF-8 bytes: what the ledger stores and hashes. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

export type CanonicalParse = { ok: true; value: unknown; text: string } | { ok: false; reason: string };

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Parses bytes that must already be in canonical form, saying why when they are not: invalid
 * UTF-8, not JSON, or JSON that canonicalizes to other bytes (whitespace, member order, number or
 * string spelling, duplicate member names). The check is a one-pass scan (canonical-json-scan.ts)
 * whose verdict equals "parse, canonicalize, compare"; the reason is refined by parsing.
 */
export function parseCanonical(bytes: Uint8Array): CanonicalParse {
  const buf = asBuffer(bytes);
  const scan = scanCanonical(buf);
  if (scan === 'not valid UTF-8') return { ok: false, reason: scan };
  const text = buf.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (scan === undefined) return { ok: true, value, text };
  try {
    canonicalize(value);
  } catch (err) {
    return { ok: false, reason: `not canonical JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  return { ok: false, reason: `valid JSON but not in RFC 8785 canonical form (${scan})` };
}

/** True when `bytes` are exactly the RFC 8785 canonical form of the JSON they hold. */
export function isCanonical(bytes: Uint8Array): boolean {
  return scanCanonical(asBuffer(bytes)) === undefined;
}
