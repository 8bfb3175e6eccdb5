import type { KubeHttp } from './kube-http';
import { isApiCode } from './kube-errors';
import { isJsonObject } from './kube-object';

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

interface Entry {
  at: number;
  kinds: Map<string, ResourceInfo> | undefined;
}

/** A kind not found is looked up again only after this long (a CRD just applied becomes served). */
const MISS_REFRESH_MS = 500;

/** Kind → resource, per group-version, from the API server's discovery documents; cached. */
export class Discovery {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();

  constructor(private readonly http: KubeHttp) {}

  static basePath(apiVersion: string): string {
    return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  }

  async lookup(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    let entry = this.cache.get(apiVersion);
    if (!entry || (!entry.kinds?.has(kind) && Date.now() - entry.at > MISS_REFRESH_MS)) entry = await this.fetch(apiVersion);
    return entry.kinds?.get(kind);
  }

  /** Forget what is cached (after CRDs change). */
  invalidate(): void {
    this.cache.clear();
  }

  private fetch(apiVersion: string): Promise<Entry> {
    const running = this.pending.get(apiVersion);
    if (running) return running;
    const p = this.load(apiVersion).finally(() => this.pending.delete(apiVersion));
    this.pending.set(apiVersion, p);
    return p;
  }

  private async load(apiVersion: string): Promise<Entry> {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    let entry: Entry;
    try {
      const { body } = await this.http.request('GET', Discovery.basePath(apiVersion), `discover ${apiVersion}`);
      const kinds = new Map<string, ResourceInfo>();
      const list = body && Array.isArray(body.resources) ? body.resources.filter(isJsonObject) : [];
      for (const r of list) {
        if (typeof r.name !== 'string' || r.name.includes('/') || typeof r.kind !== 'string') continue;
        kinds.set(r.kind, { group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced === true });
      }
      entry = { at: Date.now(), kinds };
    } catch (err) {
      if (!isApiCode(err, 'kube-not-found')) throw err;
      entry = { at: Date.now(), kinds: undefined };
    }
    this.cache.set(apiVersion, entry);
    return entry;
  }
}
