import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';

describe('group commit', () => {
  it('sends the first record at once and batches those that arrive meanwhile, in order', async () => {
    const batches: number[][] = [];
    let next = 0;
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 10));
      return items.map(() => next++);
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => gc.submit(i)));
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(results).toEqual([0, 1, 2, 3]);
  });

  it('fails only the records of a failed batch, and keeps going', async () => {
    let calls = 0;
    const gc = new GroupCommit<string, string>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return items.map((i) => i.toUpperCase());
    });
    const first = gc.submit('a');
    await expect(first).rejects.toThrow('database down');
    expect(await gc.submit('b')).toBe('B');
  });
});
