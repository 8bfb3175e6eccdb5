import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { DomainException } from '../common/domain.exception';
import type { ObjectStore } from './object-store';
import type { ResourceRegistry } from './resource-registry';
import { type KubeObject, isObject } from './sandbox.types';
import type { WatchHub } from './watch-hub';

interface Snapshot {
  format: 'gitseal-sandbox/v1';
  resourceVersion: number;
  objects: { key: string; object: KubeObject }[];
}

export class SandboxStateError extends DomainException {
  constructor(message: string) {
    super('SANDBOX_STATE_INVALID', 'invalid', message);
  }
}

function parseSnapshot(text: string, file: string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SandboxStateError(`sandbox state file ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(parsed) || parsed.format !== 'gitseal-sandbox/v1' || typeof parsed.resourceVersion !== 'number' || !Array.isArray(parsed.objects)) {
    throw new SandboxStateError(`sandbox state file ${file} is not a gitseal sandbox state (format gitseal-sandbox/v1)`);
  }
  const objects = parsed.objects.map((entry) => {
    if (!isObject(entry) || typeof entry.key !== 'string' || !isObject(entry.object) || !isObject(entry.object.metadata)) {
      throw new SandboxStateError(`sandbox state file ${file} holds a malformed object entry`);
    }
    return { key: entry.key, object: entry.object as KubeObject };
  });
  return { format: 'gitseal-sandbox/v1', resourceVersion: parsed.resourceVersion, objects };
}

/** Keeps the store in a JSON file: loaded on start, written atomically and debounced. */
export class StatePersistence {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly store: ObjectStore,
    private readonly debounceMs: number,
  ) {}

  /** Loads the file if it exists; CRDs first, so their resources are served. Fails closed on a bad file. */
  load(registry: ResourceRegistry, hub: WatchHub): void {
    if (!existsSync(this.file)) return;
    const snapshot = parseSnapshot(readFileSync(this.file, 'utf8'), this.file);
    const crds = snapshot.objects.filter((o) => o.key === 'apiextensions.k8s.io/customresourcedefinitions');
    for (const { object } of crds) registry.registerCrd(object);
    for (const { key, object } of snapshot.objects) this.store.put(key, object);
    this.store.restoreRv(snapshot.resourceVersion);
    hub.setCompactedRv(snapshot.resourceVersion);
  }

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now if anything changed since the last write. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const snapshot: Snapshot = { format: 'gitseal-sandbox/v1', resourceVersion: this.store.currentRv, objects: this.store.all() };
    const text = JSON.stringify(snapshot);
    const tmp = `${this.file}.${process.pid}.tmp`;
    this.writing = this.writing.then(async () => {
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    return this.writing;
  }
}
