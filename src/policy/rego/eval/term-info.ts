/** Facts about compiled terms that never change, computed once per term. */
import type { CallTerm, Term } from '../ast';
import type { Builtin } from '../builtins/registry';

const localsCache = new WeakMap<Term, boolean>();
/** Builtin of a call term (null when it names a function), resolved once. */
export const builtinCache = new WeakMap<CallTerm, Builtin | null>();
/** Whether t mentions a local variable outside closures (otherwise it can always be evaluated). */
export function hasLocals(t: Term): boolean {
  let r = localsCache.get(t);
  if (r === undefined) {
    switch (t.type) {
      case 'var':
        r = t.slot !== undefined;
        break;
      case 'ref':
        r = hasLocals(t.head) || t.path.some(hasLocals);
        break;
      case 'array':
      case 'set':
        r = t.items.some(hasLocals);
        break;
      case 'object':
        r = t.entries.some(([a, b]) => hasLocals(a) || hasLocals(b));
        break;
      case 'call':
        r = t.args.some(hasLocals);
        break;
      default:
        r = false;
    }
    localsCache.set(t, r);
  }
  return r;
}
