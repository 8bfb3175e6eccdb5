import type { ObjectWriter } from '../object-writer';
import type { ResourceService } from '../resource-service';
import { type KubeObject, deepEqual, isObject, metaOf, str } from '../sandbox.types';
import type { StoreEvent } from '../watch-hub';
import { SIMULATED_KINDS, type Stage, simulatedStatus, statusManager } from './workload-status';

export const FAIL_ANNOTATION = 'sandbox.gitseal.dev/fail';

/** The controls tests and the demo use to steer the simulated controllers. */
export interface SandboxControllers {
  /** Delay between a spec change and the workload reporting ready (or failed). */
  readonly delayMs: number;
  setDelay(ms: number): void;
  /** Make the named object's rollout fail until `recover`; kind is e.g. `Deployment`. */
  fail(kind: string, namespace: string, name: string): void;
  recover(kind: string, namespace: string, name: string): void;
  failDeployment(namespace: string, name: string): void;
  recoverDeployment(namespace: string, name: string): void;
  /** Stop or restart all simulated status updates. */
  pause(): void;
  resume(): void;
  /** Resolves once no status update is pending. */
  idle(): Promise<void>;
}

interface Tracked {
  marker: string;
  readyAt: number;
  timer?: NodeJS.Timeout;
  ordinal: number;
}

/**
 * Simulates the controllers that write status (deployment, statefulset, daemonset, replicaset,
 * job, kubelet, volume binder, load balancer, CRD establishment) through real status writes.
 */
export class WorkloadController implements SandboxControllers {
  private delay: number;
  private paused = false;
  private readonly failing = new Set<string>();
  private readonly tracked = new Map<string, Tracked>();
  private nextOrdinal = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly w: ObjectWriter,
    private readonly resources: ResourceService,
    delayMs: number,
    private readonly nodes: number,
  ) {
    this.delay = delayMs;
    w.hub.onEvent((e) => this.observe(e));
  }

  get delayMs(): number {
    return this.delay;
  }

  setDelay(ms: number): void {
    this.delay = Math.max(0, ms);
  }

  fail(kind: string, namespace: string, name: string): void {
    this.failing.add(`${kind}/${namespace}/${name}`);
    this.restart(kind, namespace, name);
  }

  recover(kind: string, namespace: string, name: string): void {
    this.failing.delete(`${kind}/${namespace}/${name}`);
    this.restart(kind, namespace, name);
  }

  failDeployment(namespace: string, name: string): void {
    this.fail('Deployment', namespace, name);
  }

  recoverDeployment(namespace: string, name: string): void {
    this.recover('Deployment', namespace, name);
  }

  pause(): void {
    this.paused = true;
    for (const t of this.tracked.values()) if (t.timer) clearTimeout(t.timer);
  }

  resume(): void {
    this.paused = false;
    for (const [id, t] of this.tracked) this.schedule(id, t, 0);
  }

  idle(): Promise<void> {
    if (this.pendingCount() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.paused = true;
    for (const t of this.tracked.values()) if (t.timer) clearTimeout(t.timer);
    this.tracked.clear();
    this.notifyIdle();
  }

  private pendingCount(): number {
    let n = 0;
    for (const t of this.tracked.values()) if (t.timer) n++;
    return n;
  }

  private notifyIdle(): void {
    if (this.pendingCount() > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private isFailing(obj: KubeObject): boolean {
    const meta = metaOf(obj);
    const annotations = isObject(meta.annotations) ? meta.annotations : {};
    return annotations[FAIL_ANNOTATION] === 'true' || this.failing.has(`${obj.kind}/${str(meta.namespace) ?? ''}/${str(meta.name) ?? ''}`);
  }

  private marker(obj: KubeObject): string {
    const spec = isObject(obj.spec) ? obj.spec : {};
    const version = obj.kind === 'Service' ? String(spec.type) : String(metaOf(obj).generation ?? '');
    return `${version}|${this.isFailing(obj)}`;
  }

  private observe(e: StoreEvent): void {
    if (e.object.kind === 'CustomResourceDefinition') return this.establishCrd(e);
    if (!SIMULATED_KINDS.has(e.object.kind)) return;
    const id = `${e.key}|${e.namespace}|${str(metaOf(e.object).name) ?? ''}`;
    const existing = this.tracked.get(id);
    if (e.type === 'DELETED' || e.object.metadata.deletionTimestamp !== undefined) {
      if (existing?.timer) clearTimeout(existing.timer);
      this.tracked.delete(id);
      this.notifyIdle();
      return;
    }
    const marker = this.marker(e.object);
    if (existing && existing.marker === marker) return;
    const t: Tracked = { marker, readyAt: Date.now() + this.delay, ordinal: existing?.ordinal ?? this.nextOrdinal++ };
    if (existing?.timer) clearTimeout(existing.timer);
    this.tracked.set(id, t);
    this.schedule(id, t, 0);
  }

  private restart(kind: string, namespace: string, name: string): void {
    for (const [id, t] of this.tracked) {
      const [key, ns, n] = id.split('|');
      if (ns !== namespace || n !== name || this.w.registry.byStorageKey(key)?.kind !== kind) continue;
      t.marker = '';
      t.readyAt = Date.now() + this.delay;
      this.schedule(id, t, 0);
    }
  }

  private schedule(id: string, t: Tracked, afterMs: number): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = undefined;
    if (this.paused) return;
    t.timer = setTimeout(() => {
      t.timer = undefined;
      this.reconcile(id, t);
      this.notifyIdle();
    }, afterMs);
    t.timer.unref();
  }

  private reconcile(id: string, t: Tracked): void {
    const [key, ns, name] = id.split('|');
    const type = this.w.registry.byStorageKey(key);
    const obj = this.w.store.get(key, ns, name);
    if (!type || !obj || obj.metadata.deletionTimestamp !== undefined) return;
    t.marker = this.marker(obj);
    const due = Date.now() >= t.readyAt;
    const stage: Stage = !due ? 'progressing' : this.isFailing(obj) ? 'failed' : 'ready';
    const status = simulatedStatus(obj, { stage, now: this.w.now(), nodes: this.nodes, ordinal: t.ordinal });
    if (status && !deepEqual(status, obj.status)) {
      try {
        this.resources.writeStatus(type, ns, name, status, statusManager(obj.kind));
      } catch {
        // The object changed or went away meanwhile; its next event schedules another pass.
      }
    }
    if (!due) this.schedule(id, t, Math.max(0, t.readyAt - Date.now()));
  }

  /** The apiextensions controller: names accepted and Established, right after each change. */
  private establishCrd(e: StoreEvent): void {
    if (e.type === 'DELETED' || e.object.metadata.deletionTimestamp !== undefined) return;
    const spec = isObject(e.object.spec) ? e.object.spec : {};
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
    const storage = versions.find((v) => v.storage === true);
    const prev = isObject(e.object.status) ? e.object.status : {};
    const stored = Array.isArray(prev.storedVersions) ? prev.storedVersions : [];
    const storageName = str(storage?.name);
    const storedVersions = storageName && !stored.includes(storageName) ? [...stored, storageName] : stored;
    const now = this.w.now();
    const conditions = [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ].map((c) => {
      const before = Array.isArray(prev.conditions) ? prev.conditions.filter(isObject).find((o) => o.type === c.type) : undefined;
      return { ...c, lastTransitionTime: str(before?.lastTransitionTime) ?? now };
    });
    const status = { conditions, acceptedNames: isObject(spec.names) ? spec.names : {}, storedVersions };
    if (deepEqual(status, e.object.status)) return;
    const name = str(metaOf(e.object).name) ?? '';
    setImmediate(() => {
      const type = this.w.registry.byStorageKey(e.key);
      if (!type) return;
      try {
        this.resources.writeStatus(type, '', name, status, 'kube-apiserver');
      } catch {
        // Deleted meanwhile.
      }
    });
  }
}
