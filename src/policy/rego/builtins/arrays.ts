/** Array builtins. */
import { arr, int } from './operands';
import { register } from './registry';

register('array.concat', 2, ([a, b]) => [...arr(a, 1), ...arr(b, 2)]);
register('array.reverse', 1, ([a]) => [...arr(a, 1)].reverse());
register('array.slice', 3, ([a, s, e]) => {
  const xs = arr(a, 1);
  let start = int(s, 2);
  let stop = int(e, 3);
  if (start < 0) start = 0;
  if (stop > xs.length) stop = xs.length;
  if (start >= stop) return [];
  return xs.slice(start, stop);
});
