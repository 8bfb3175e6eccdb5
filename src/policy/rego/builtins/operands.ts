/** Operand checks with OPA's messages (`operand 2 must be string but got number`). */
import { BigNum, type Num } from '../number';
import { ObjectValue, SetValue, isObject, isPlainObject, typeName, type ArrayValue, type PlainObject, type Value } from '../value';
import { typeError, BuiltinError } from './registry';

export function num(v: Value, pos: number): Num {
  if (typeof v === 'number' || v instanceof BigNum) return v;
  throw typeError(pos, v, 'number');
}

export function str(v: Value, pos: number): string {
  if (typeof v === 'string') return v;
  throw typeError(pos, v, 'string');
}

export function bool(v: Value, pos: number): boolean {
  if (typeof v === 'boolean') return v;
  throw typeError(pos, v, 'boolean');
}

export function arr(v: Value, pos: number): ArrayValue {
  if (Array.isArray(v)) return v;
  throw typeError(pos, v, 'array');
}

export function set(v: Value, pos: number): SetValue {
  if (v instanceof SetValue) return v;
  throw typeError(pos, v, 'set');
}

export function obj(v: Value, pos: number): PlainObject | ObjectValue {
  if (isObject(v)) return v;
  throw typeError(pos, v, 'object');
}

/** A JS integer from a number operand (index, count). */
export function int(v: Value, pos: number): number {
  const n = num(v, pos);
  const d = typeof n === 'number' ? n : Number(n.text);
  if (!Number.isInteger(d)) throw new BuiltinError('eval_type_error', `operand ${pos} must be integer number but got floating-point number`);
  return d;
}

/** Members of an array or set operand. */
export function members(v: Value, pos: number, ...want: string[]): readonly Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof SetValue) return v.sortedValues();
  throw typeError(pos, v, ...(want.length ? want : ['array', 'set']));
}

/** The members of an array or set of strings, checked but not copied. */
export function checkedStrings(v: Value, pos: number): readonly string[] {
  const xs = members(v, pos);
  for (const x of xs) if (typeof x !== 'string') throw new BuiltinError('eval_type_error', `operand ${pos} must be array of strings but got array containing ${typeName(x)}`);
  return xs as readonly string[];
}

/** Strings of an array or set of strings. */
export function strings(v: Value, pos: number): string[] {
  const out: string[] = [];
  for (const x of members(v, pos)) {
    if (typeof x !== 'string') throw new BuiltinError('eval_type_error', `operand ${pos} must be array of strings but got array containing ${typeName(x)}`);
    out.push(x);
  }
  return out;
}

export { isPlainObject };
