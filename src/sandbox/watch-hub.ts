import { type FieldRequirement, matchesFields } from './field-selector';
import { type LabelSelector, matchesLabels } from './label-selector';
import { type KubeObject, metaOf, str, stringMap } from './sandbox.types';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, kept in the history so a watch can resume from a resourceVersion. */
export interface StoreEvent {
  type: EventType;
  rv: number;
  key: string;
  namespace: string;
  object: KubeObject;
  /** The object before a MODIFIED, to turn selector transitions into ADDED/DELETED. */
  previous?: KubeObject;
}

export interface WatchFilter {
  key: string;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldRequirement[];
}

export interface Watcher {
  filter: WatchFilter;
  send(type: EventType, object: KubeObject): void;
  /** Ends the watch from the server side (its resource stopped being served). */
  close?(): void;
}

export function matchesFilter(filter: WatchFilter, obj: KubeObject): boolean {
  const meta = metaOf(obj);
  if (filter.namespace !== undefined && (str(meta.namespace) ?? '') !== filter.namespace) return false;
  if (filter.labels.length > 0 && !matchesLabels(filter.labels, stringMap(meta.labels))) return false;
  return filter.fields.length === 0 || matchesFields(filter.fields, obj);
}

/** What a watcher with `filter` sees of `event`, if anything. */
export function project(filter: WatchFilter, event: StoreEvent): { type: EventType; object: KubeObject } | undefined {
  if (event.key !== filter.key) return undefined;
  const now = matchesFilter(filter, event.object);
  if (event.type !== 'MODIFIED' || !event.previous) return now ? { type: event.type, object: event.object } : undefined;
  const before = matchesFilter(filter, event.previous);
  if (before && now) return { type: 'MODIFIED', object: event.object };
  if (now) return { type: 'ADDED', object: event.object };
  if (before) return { type: 'DELETED', object: event.object };
  return undefined;
}

/** The retained history of changes and the open watches. */
export class WatchHub {
  private readonly history: StoreEvent[] = [];
  private head = 0;
  /** The newest resourceVersion that fell out of the history window. */
  private compactedRv = 0;
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly listeners: ((event: StoreEvent) => void)[] = [];

  constructor(private readonly capacity: number) {}

  /** Resuming after `rv` is possible only if no event after it has been dropped. */
  canResumeFrom(rv: number): boolean {
    return rv >= this.compactedRv;
  }

  get oldestRetainedRv(): number {
    return this.compactedRv + 1;
  }

  setCompactedRv(rv: number): void {
    this.compactedRv = Math.max(this.compactedRv, rv);
  }

  eventsAfter(rv: number, filter: WatchFilter): { type: EventType; object: KubeObject }[] {
    const out: { type: EventType; object: KubeObject }[] = [];
    for (let i = this.head; i < this.history.length; i++) {
      const e = this.history[i];
      if (e.rv <= rv) continue;
      const seen = project(filter, e);
      if (seen) out.push(seen);
    }
    return out;
  }

  onEvent(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  publish(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length - this.head > this.capacity) {
      this.compactedRv = this.history[this.head].rv;
      this.head++;
      if (this.head > this.capacity) {
        this.history.splice(0, this.head);
        this.head = 0;
      }
    }
    for (const w of this.watchers.get(event.key) ?? []) {
      const seen = project(w.filter, event);
      if (seen) w.send(seen.type, seen.object);
    }
    for (const l of this.listeners) l(event);
  }

  add(w: Watcher): () => void {
    let set = this.watchers.get(w.filter.key);
    if (!set) {
      set = new Set();
      this.watchers.set(w.filter.key, set);
    }
    set.add(w);
    return () => set.delete(w);
  }

  /** Ends every watch on `key`, as the real server does when a CRD goes away. */
  closeWatchers(key: string): void {
    const set = this.watchers.get(key);
    if (!set) return;
    this.watchers.delete(key);
    for (const w of set) w.close?.();
  }

  watcherCount(): number {
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }
}
