import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Coalescer', () => {
  it('runs once at a time and gives every call made during a run one shared follow-up', async () => {
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()];
    let started = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const c = new Coalescer(async () => {
      const gate = gates[started++];
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      try {
        return await gate.promise;
      } finally {
        concurrent--;
      }
    });
    const first = c.run();
    const second = c.run();
    const third = c.run();
    expect(second).toBe(third);
    expect(started).toBe(1);
    gates[0].resolve(1);
    expect(await first).toBe(1);
    await Promise.resolve();
    expect(started).toBe(2);
    const fourth = c.run(); // during the follow-up: a new follow-up
    expect(fourth).not.toBe(second);
    gates[1].resolve(2);
    gates[2].resolve(3);
    expect([await second, await third, await fourth]).toEqual([2, 2, 3]);
    expect(started).toBe(3);
    expect(maxConcurrent).toBe(1);
    expect(c.busy).toBe(false);
  });

  it('starts the follow-up even when the run before it failed, and reports each failure to its callers', async () => {
    let n = 0;
    const c = new Coalescer(async () => {
      n++;
      if (n === 1) throw new Error('first failed');
      return n;
    });
    const a = c.run();
    const b = c.run();
    await expect(a).rejects.toThrow('first failed');
    await expect(b).resolves.toBe(2);
  });

  it('turns a synchronous throw into a rejection and stays usable', async () => {
    let fail = true;
    const c = new Coalescer<number>(() => {
      if (fail) throw new Error('sync');
      return Promise.resolve(7);
    });
    await expect(c.run()).rejects.toThrow('sync');
    fail = false;
    await expect(c.run()).resolves.toBe(7);
  });

  it('idle() waits for the running and the queued run', async () => {
    const gate = deferred<void>();
    const order: string[] = [];
    const c = new Coalescer(async () => {
      await gate.promise;
      order.push('ran');
    });
    void c.run();
    void c.run();
    const idle = c.idle().then(() => order.push('idle'));
    gate.resolve();
    await idle;
    expect(order).toEqual(['ran', 'ran', 'idle']);
  });
});
