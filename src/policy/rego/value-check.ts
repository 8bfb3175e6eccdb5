/**
 * The check of values that cross into the engine (input, data, runtime): JSON types only,
 * finite numbers, nesting within MAX_DEPTH. Deep-frozen subtrees (the gate freezes parsed
 * manifests and reuses them from commit to commit) are remembered once found valid, with their
 * height, so an unchanged manifest is not walked again by the next decision. Only the largest
 * frozen subtrees (those under something not frozen) are remembered and looked up: one entry
 * per manifest, not one per object in it.
 */
import { RegoError } from './errors';
import { BigNum } from './number';
import { ObjectValue, SetValue, type Value } from './value';
import { MAX_DEPTH } from './value-limits';

/** Checks that x is JSON-shaped (finite numbers, plain objects) and not nested too deeply. */
export function checkJson(x: unknown, what: string): Value {
  if (typeof x === 'object' && x !== null) {
    const h = checkComposite(x, what, 0, false);
    if (h >= 0) frozenHeights.set(x, h);
  } else checkScalar(x, what);
  return x as Value;
}

const LIMIT = MAX_DEPTH;
/** Frozen subtrees found valid, by the height of their deepest value below them. */
const frozenHeights = new WeakMap<object, number>();

function tooDeep(what: string): RegoError {
  return new RegoError('eval_internal_error', `${what} is nested deeper than ${MAX_DEPTH} levels`);
}

function checkScalar(v: unknown, what: string): void {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new RegoError('eval_internal_error', `${what} holds a number that is not finite`);
      return;
    default:
      if (v === null) return;
      throw new RegoError('eval_internal_error', `${what} holds a value that is not JSON (${typeof v})`);
  }
}

/** The members of a JSON array or object, or undefined for the engine's own value classes. */
function membersOf(v: object, what: string): readonly unknown[] | undefined {
  if (Array.isArray(v)) return v;
  const proto: unknown = Object.getPrototypeOf(v);
  // Not for…in: V8 speculates on its keyed reads and falls into deoptimisation loops when
  // objects of many shapes (input documents, policy data) come through.
  if (proto === Object.prototype || proto === null) return Object.values(v);
  if (v instanceof BigNum || v instanceof SetValue || v instanceof ObjectValue) return undefined;
  throw new RegoError('eval_internal_error', `${what} holds a value that is not JSON`);
}

/**
 * Checks v (at `depth`) and everything in it. Returns the height of the subtree (how many levels
 * its deepest value sits below v) when all of it is frozen, else -1.
 */
function checkComposite(v: object, what: string, depth: number, parentFrozen: boolean): number {
  const frozen = Object.isFrozen(v);
  if (frozen && !parentFrozen) {
    const known = frozenHeights.get(v);
    if (known !== undefined && depth + known <= LIMIT) return known;
  }
  const members = membersOf(v, what);
  if (!members) return -1;
  if (depth >= LIMIT && members.length > 0) throw tooDeep(what);
  let height = 0;
  let allFrozen = frozen;
  for (let i = 0; i < members.length; i++) {
    const x = members[i];
    const t = typeof x;
    if (t === 'object' && x !== null) {
      const h = checkComposite(x as object, what, depth + 1, frozen);
      if (h < 0) allFrozen = false;
      else {
        if (h >= height) height = h + 1;
        // A frozen subtree under something that is not: the largest, remembered.
        if (!frozen) frozenHeights.set(x as object, h);
      }
    } else {
      if (t !== 'string' && t !== 'boolean') checkScalar(x, what);
      if (height === 0) height = 1;
    }
  }
  return allFrozen ? height : -1;
}
