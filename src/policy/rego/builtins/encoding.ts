/** Encodings: base64, base64url, hex, JSON, YAML, URL query strings. */
import { parse as parseYaml, stringify as yamlStringify } from 'yaml';
import { numberFromText } from '../number';
import { ObjectBuilder, SetValue, isObject, sortedEntries, type Value } from '../value';
import { checkJson, toJS, toJsonText } from '../value-json';
import { obj, str } from './operands';
import { builtinError, register, typeError } from './registry';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(s: string, url: boolean): string {
  const std = url ? s.replace(/-/g, '+').replace(/_/g, '/') : s;
  const padded = std.length % 4 === 0 ? std : std + '='.repeat(4 - (std.length % 4));
  if (!B64.test(padded) || (!url && s.length % 4 !== 0)) throw builtinError(`illegal base64 data at input byte ${s.length}`);
  return Buffer.from(padded, 'base64').toString('utf8');
}

register('base64.encode', 1, ([s]) => Buffer.from(str(s, 1), 'utf8').toString('base64'));
register('base64.decode', 1, ([s]) => decodeBase64(str(s, 1), false));
register('base64.is_valid', 1, ([s]) => {
  const x = str(s, 1);
  return x.length % 4 === 0 && B64.test(x);
});
register('base64url.encode', 1, ([s]) => Buffer.from(str(s, 1), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_'));
register('base64url.encode_no_pad', 1, ([s]) => Buffer.from(str(s, 1), 'utf8').toString('base64url'));
register('base64url.decode', 1, ([s]) => decodeBase64(str(s, 1), true));
register('hex.encode', 1, ([s]) => Buffer.from(str(s, 1), 'utf8').toString('hex'));
register('hex.decode', 1, ([s]) => {
  const x = str(s, 1);
  if (!/^([0-9a-fA-F]{2})*$/.test(x)) throw builtinError('encoding/hex: invalid byte');
  return Buffer.from(x, 'hex').toString('utf8');
});

/** JSON text to a value, keeping numbers exactly as written. */
export function parseJsonValue(text: string): Value {
  const v = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    if (typeof value === 'number' && context?.source !== undefined) return numberFromText(context.source);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const b = new ObjectBuilder();
      for (const [k, x] of Object.entries(value)) b.set(k, x as Value);
      return b.build();
    }
    return value;
  }) as Value;
  return checkJson(v, 'JSON document');
}

register('json.marshal', 1, ([v]) => toJsonText(v));
register('json.marshal_with_options', 2, ([v, o]) => {
  const opts = obj(o, 2);
  let pretty = false;
  let indent = '\t';
  let prefix = '';
  for (const [k, x] of sortedEntries(opts)) {
    if (k === 'pretty' && typeof x === 'boolean') pretty = x;
    else if (k === 'indent' && typeof x === 'string') indent = x;
    else if (k === 'prefix' && typeof x === 'string') prefix = x;
    else throw builtinError(`json.marshal_with_options: unknown or invalid option ${String(k)}`);
  }
  if (!pretty && !('indent' in Object(opts)) && !('prefix' in Object(opts))) return toJsonText(v);
  const text = JSON.stringify(toJS(v), null, indent);
  return text.split('\n').map((l) => prefix + l).join('\n');
});
register('json.unmarshal', 1, ([s]) => {
  try {
    return parseJsonValue(str(s, 1));
  } catch (e) {
    throw builtinError(e instanceof Error ? e.message : String(e));
  }
});
register('json.is_valid', 1, ([s]) => {
  if (typeof s !== 'string') return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
});

function yamlToValue(text: string): Value {
  const docs = parseYaml(text, { maxAliasCount: 100, prettyErrors: false, uniqueKeys: true }) as unknown;
  return checkJson(normalizeYaml(docs, 0), 'YAML document');
}

function normalizeYaml(x: unknown, depth: number): unknown {
  if (depth > 1000) throw builtinError('YAML document nested too deeply');
  if (x === undefined) return null;
  if (x instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of x) o[String(k)] = normalizeYaml(v, depth + 1);
    return o;
  }
  if (x instanceof Set) return [...x].map((v) => normalizeYaml(v, depth + 1));
  if (Array.isArray(x)) return x.map((v) => normalizeYaml(v, depth + 1));
  if (x instanceof Date) return x.toISOString();
  if (x !== null && typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = normalizeYaml(v, depth + 1);
    return o;
  }
  if (typeof x === 'number' && !Number.isFinite(x)) throw builtinError('YAML number is not finite');
  if (typeof x === 'bigint') return Number(x);
  return x;
}

register('yaml.marshal', 1, ([v]) => yamlStringify(toJS(v), { sortMapEntries: true }));
register('yaml.unmarshal', 1, ([s]) => {
  try {
    return yamlToValue(str(s, 1));
  } catch (e) {
    throw builtinError(e instanceof Error ? e.message : String(e));
  }
});
register('yaml.is_valid', 1, ([s]) => {
  if (typeof s !== 'string') return false;
  try {
    yamlToValue(s);
    return true;
  } catch {
    return false;
  }
});

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}
function queryUnescape(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw builtinError(`invalid URL escape in ${JSON.stringify(s)}`);
  }
}

register('urlquery.encode', 1, ([s]) => queryEscape(str(s, 1)));
register('urlquery.decode', 1, ([s]) => queryUnescape(str(s, 1)));
register('urlquery.encode_object', 1, ([o]) => {
  const parts: string[] = [];
  for (const [k, v] of sortedEntries(obj(o, 1))) {
    if (typeof k !== 'string') throw typeError(1, k, 'string');
    const vals = typeof v === 'string' ? [v] : Array.isArray(v) ? v : v instanceof SetValue ? v.sortedValues() : undefined;
    if (!vals) throw typeError(1, v, 'string', 'array', 'set');
    for (const x of vals) {
      if (typeof x !== 'string') throw typeError(1, x, 'string');
      parts.push(`${queryEscape(k)}=${queryEscape(x)}`);
    }
  }
  return parts.join('&');
});
register('urlquery.decode_object', 1, ([s]) => {
  const out = new Map<string, string[]>();
  for (const part of str(s, 1).split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : queryUnescape(part.slice(eq + 1));
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  const b = new ObjectBuilder();
  for (const [k, v] of out) b.set(k, v);
  return b.build();
});

export { isObject };
