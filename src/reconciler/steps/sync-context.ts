import type { Clock } from '../../common/clock';
import type { KubeAdapter } from '../kube/kube.adapter';
import type { InventoryRow, SyncTrigger } from '../state/reconciler.store';
import type { SyncRecorder } from '../state/sync-recorder';
import type { Target } from '../target';

/** What the steps of one sync share. */
export interface SyncContext {
  target: Target;
  kube: KubeAdapter;
  recorder: SyncRecorder;
  clock: Clock;
  commit: string;
  trigger: SyncTrigger;
  /** Seq of this sync's sync.started (set once it is recorded). */
  syncSeq: number;
  /** The inventory, keyed by `group/kind/namespace/name`. */
  inventory: Map<string, InventoryRow>;
  /** Stops waits (health) when the service shuts down. */
  signal?: AbortSignal;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; the first error stops new work and is thrown once the others settle. */
export async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}
