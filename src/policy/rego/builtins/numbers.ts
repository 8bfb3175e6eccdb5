/** Arithmetic, rounding and number ranges. */
import { NumberError, abs, add, compareNumbers, divide, multiply, remainder, roundNumber, subtract, toBigInt, type Num } from '../number';
import { BigNum, SetValue, typeName, type Value } from '../value';
import { int, num } from './operands';
import { BuiltinError, builtinError, register, typeError, type BuiltinContext } from './registry';

function arith(op: (a: Num, b: Num) => Num) {
  return ([a, b]: Value[]): Value => {
    const x = num(a, 1);
    const y = num(b, 2);
    try {
      return op(x, y);
    } catch (e) {
      if (e instanceof NumberError) throw builtinError(e.message);
      throw e;
    }
  };
}

register('plus', 2, arith(add));
register('mul', 2, arith(multiply));
register('div', 2, arith(divide));
register('rem', 2, arith(remainder));
register('minus', 2, ([a, b]) => {
  const an = typeof a === 'number' || a instanceof BigNum;
  if (a instanceof SetValue) {
    if (!(b instanceof SetValue)) throw typeError(2, b, 'set');
    const out = new SetValue();
    for (const v of a.values()) if (!b.has(v)) out.add(v);
    return out;
  }
  if (!an) throw typeError(1, a, 'number', 'set');
  return arith(subtract)([a, b]);
});

register('abs', 1, ([a]) => abs(num(a, 1)));
register('round', 1, ([a]) => roundNumber(num(a, 1), 'round'));
register('ceil', 1, ([a]) => roundNumber(num(a, 1), 'ceil'));
register('floor', 1, ([a]) => roundNumber(num(a, 1), 'floor'));

/** Longest array numbers.range may build (beyond it the policy is refused, not the process). */
export const MAX_RANGE = 1_000_000;

function range(from: number, to: number, step: number, ctx: BuiltinContext): number[] {
  const n = Math.floor(Math.abs(to - from) / step) + 1;
  if (n > MAX_RANGE) throw builtinError(`range of ${n} numbers exceeds the limit of ${MAX_RANGE}`);
  ctx.charge(n);
  const out = new Array<number>(n);
  const dir = to >= from ? 1 : -1;
  for (let i = 0; i < n; i++) out[i] = from + dir * i * step;
  return out;
}

register('numbers.range', 2, ([a, b], ctx) => {
  const from = intOperand(a, 1, 'numbers.range');
  const to = intOperand(b, 2, 'numbers.range');
  return range(from, to, 1, ctx);
});

register('numbers.range_step', 3, ([a, b, s], ctx) => {
  const from = intOperand(a, 1, 'numbers.range_step');
  const to = intOperand(b, 2, 'numbers.range_step');
  const step = intOperand(s, 3, 'numbers.range_step');
  if (step <= 0) throw builtinError('step must be a positive number above zero');
  return range(from, to, step, ctx);
});

function intOperand(v: Value, pos: number, name: string): number {
  const n = num(v, pos);
  if (toBigInt(n) === undefined) throw new BuiltinError('eval_type_error', `operand ${pos} must be integer number but got floating-point number`);
  void name;
  return int(v, pos);
}

export function sumOf(xs: readonly Value[], pos: number): Num {
  let acc: Num = 0;
  for (const x of xs) acc = add(acc, numberMember(x, pos));
  return acc;
}

export function numberMember(x: Value, pos: number): Num {
  if (typeof x === 'number' || x instanceof BigNum) return x;
  throw new BuiltinError('eval_type_error', `operand ${pos} must be array of numbers but got array containing ${typeName(x)}`);
}

export function compareNum(a: Num, b: Num): number {
  return compareNumbers(a, b);
}
