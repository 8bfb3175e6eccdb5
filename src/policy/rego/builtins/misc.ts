/** walk, graph.reachable, trace, print (declared here, evaluated by the evaluator), opa.runtime. */
import { SetValue, isObject, sortedEntries, type Value } from '../value';
import { forEachEntry } from '../eval/collections';
import { obj } from './operands';
import { builtinError, register, typeError } from './registry';

/** Most nodes walk() visits in one call. */
export const MAX_WALK_NODES = 1_000_000;

register(
  'walk',
  1,
  ([x], ctx) => {
    const out: Value[] = [];
    const stack: [Value[], Value][] = [[[], x]];
    while (stack.length > 0) {
      const [path, v] = stack.pop()!;
      out.push([path, v]);
      if (out.length > MAX_WALK_NODES) throw builtinError(`walk: more than ${MAX_WALK_NODES} nodes`);
      const children: [Value[], Value][] = [];
      forEachEntry(v, (k, c) => {
        children.push([[...path, k], c]);
        return false;
      });
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
    ctx.charge(out.length);
    return out;
  },
  { relation: true },
);

register('graph.reachable', 2, ([g, init]) => {
  const graph = obj(g, 1);
  if (!Array.isArray(init) && !(init instanceof SetValue)) throw typeError(2, init, 'array', 'set');
  const seen = new SetValue();
  const queue: Value[] = Array.isArray(init) ? [...init] : init.sortedValues().slice();
  while (queue.length > 0) {
    const n = queue.shift()!;
    if (seen.has(n)) continue;
    const edges = sortedEntries(graph).find(([k]) => k === n || (typeof k !== 'string' && JSON.stringify(k) === JSON.stringify(n)))?.[1];
    if (edges === undefined) continue;
    seen.add(n);
    if (Array.isArray(edges)) queue.push(...edges);
    else if (edges instanceof SetValue) queue.push(...edges.sortedValues());
    else if (isObject(edges)) queue.push(...sortedEntries(edges).map((e) => e[0]));
  }
  return seen;
});

register('trace', 1, ([note], ctx) => {
  if (typeof note !== 'string') throw typeError(1, note, 'string');
  ctx.print(`trace: ${note}`);
  return true;
});

register('print', -1, () => true, { void: true });

register('opa.runtime', 0, (_args, ctx) => ctx.runtime);
