import { errorMessage } from '../../common/domain.exception';
import { isApiCode } from '../kube/kube-errors';
import type { KubeAdapter, WatchHandle } from '../kube/kube.adapter';
import { keyOf, keyString } from '../kube/kube-object';
import { TARGET_LABEL } from '../render/render';
import type { KindRef } from '../steps/live.step';

interface KindWatch {
  ref: KindRef;
  resourceVersion: string;
  handle?: WatchHandle;
  retry?: NodeJS.Timeout;
  failures: number;
}

/**
 * Watches the kinds a target applied (label `gitseal.dev/target=<id>`), resuming from the last
 * resourceVersion seen and listing again after a 410. Every change to one of its objects is
 * reported by id; deciding whether it is drift is the caller's job.
 */
export class DriftWatcher {
  private readonly watches = new Map<string, KindWatch>();
  private stopped = false;

  constructor(
    private readonly kube: KubeAdapter,
    private readonly targetId: string,
    private readonly onChange: (id: string) => void,
    private readonly onError: (message: string) => void,
  ) {}

  private get selector(): string {
    return `${TARGET_LABEL}=${this.targetId}`;
  }

  /** Watches exactly these kinds (new ones start, gone ones stop). */
  setKinds(kinds: readonly KindRef[]): void {
    if (this.stopped) return;
    const wanted = new Map(kinds.map((k) => [`${k.apiVersion}|${k.kind}`, k]));
    for (const [id, w] of this.watches) {
      if (wanted.has(id)) continue;
      this.end(w);
      this.watches.delete(id);
    }
    for (const [id, ref] of wanted) {
      if (this.watches.has(id)) continue;
      const w: KindWatch = { ref, resourceVersion: '', failures: 0 };
      this.watches.set(id, w);
      void this.run(w);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches.values()) this.end(w);
    this.watches.clear();
  }

  private end(w: KindWatch): void {
    w.handle?.stop();
    w.handle = undefined;
    if (w.retry) clearTimeout(w.retry);
    w.retry = undefined;
  }

  private active(w: KindWatch): boolean {
    return !this.stopped && this.watches.get(`${w.ref.apiVersion}|${w.ref.kind}`) === w;
  }

  private async run(w: KindWatch): Promise<void> {
    if (!this.active(w)) return;
    try {
      if (w.resourceVersion === '') {
        // (Re)list: anything that changed while nobody watched is reported.
        const listed = await this.kube.list(w.ref.apiVersion, w.ref.kind, this.selector);
        w.resourceVersion = listed.resourceVersion;
        for (const obj of listed.items) this.onChange(keyString(keyOf(obj)));
      }
      if (!this.active(w)) return;
      w.handle = await this.kube.watch(w.ref.apiVersion, w.ref.kind, this.selector, w.resourceVersion, (e) => {
        w.failures = 0;
        if (e.type === 'BOOKMARK') {
          w.resourceVersion = e.resourceVersion;
          return;
        }
        const rv = e.object.metadata.resourceVersion;
        if (typeof rv === 'string') w.resourceVersion = rv;
        this.onChange(keyString(keyOf(e.object)));
      }, (err) => this.restart(w, err));
    } catch (err) {
      this.restart(w, err);
    }
  }

  private restart(w: KindWatch, err: unknown): void {
    w.handle = undefined;
    if (!this.active(w)) return;
    // client-node ends a watch that carried nothing for 30 s; that is a quiet cluster, not a failure.
    if ((err as { name?: string } | undefined)?.name === 'TimeoutError') err = undefined;
    if (isApiCode(err, 'kube-gone')) w.resourceVersion = '';
    else if (err) {
      w.failures++;
      this.onError(`watch of ${w.ref.kind} for ${this.targetId}: ${errorMessage(err)}`);
    }
    const delay = err && !isApiCode(err, 'kube-gone') ? Math.min(30_000, 250 * 2 ** Math.min(w.failures, 7)) * (0.5 + Math.random()) : 0;
    w.retry = setTimeout(() => void this.run(w), delay);
    w.retry.unref();
  }
}
