import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { ReconcilerException } from '../reconciler.exception';
import { Discovery, type ResourceInfo } from './discovery';
import { isApiCode } from './kube-errors';
import { KubeHttp } from './kube-http';
import { describeKey, groupOf, isJsonObject, type KubeObject, type ObjectKey } from './kube-object';

export const FIELD_MANAGER = 'gitseal';

/** An object's address: apiVersion and kind to find its resource, namespace ('' if none) and name. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject } | { type: 'BOOKMARK'; resourceVersion: string };

export interface WatchHandle {
  stop(): void;
}

const PAGE = 500;

function seg(value: string): string {
  return encodeURIComponent(value);
}

export function refOf(obj: KubeObject): ObjectRef {
  const meta = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: typeof meta.namespace === 'string' ? meta.namespace : '', name: String(meta.name ?? '') };
}

export function describeRef(ref: ObjectRef): string {
  return describeKey({ group: groupOf(ref.apiVersion), kind: ref.kind, namespace: ref.namespace, name: ref.name } satisfies ObjectKey);
}

/**
 * The one place gitseal talks to a Kubernetes API server: discovery, read, list by label,
 * server-side apply (field manager `gitseal`, dry run, force), delete, watch. Every failure is a
 * ReconcilerException classified stalled / transient (see kube-errors.ts).
 */
export class KubeAdapter {
  readonly http: KubeHttp;
  readonly discovery: Discovery;

  constructor(
    private readonly kc: KubeConfig,
    options: { timeoutMs?: number } = {},
  ) {
    this.http = new KubeHttp(kc, options.timeoutMs);
    this.discovery = new Discovery(this.http);
  }

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const info = await this.discovery.lookup(apiVersion, kind);
    if (!info) throw new ReconcilerException('unknown-kind', `the API server does not serve ${kind} in ${apiVersion}`);
    return info;
  }

  private async collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<{ path: string; info: ResourceInfo }> {
    const info = await this.resource(apiVersion, kind);
    const base = Discovery.basePath(apiVersion);
    const path = info.namespaced && namespace ? `${base}/namespaces/${seg(namespace)}/${info.plural}` : `${base}/${info.plural}`;
    return { path, info };
  }

  private async objectPath(ref: ObjectRef): Promise<string> {
    const { path, info } = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    if (info.namespaced && !ref.namespace) throw new ReconcilerException('invalid-manifest', `${describeRef(ref)} is namespaced but has no namespace`);
    return `${path}/${seg(ref.name)}`;
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const path = await this.objectPath(ref);
    const res = await this.http.request('GET', path, `read ${describeRef(ref)}`, { okStatuses: [404] });
    return res.status === 404 ? undefined : (res.body as KubeObject);
  }

  /** Every object of a kind matching `labelSelector` (all namespaces unless one is given), page by page. */
  async list(apiVersion: string, kind: string, labelSelector: string, namespace?: string): Promise<ListResult> {
    const { path } = await this.collectionPath(apiVersion, kind, namespace);
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const { body } = await this.http.request('GET', path, `list ${kind} in ${apiVersion}`, { query: { labelSelector, limit: String(PAGE), continue: cont } });
      const meta = body && isJsonObject(body.metadata) ? body.metadata : {};
      for (const item of body && Array.isArray(body.items) ? body.items : []) {
        if (isJsonObject(item) && isJsonObject(item.metadata)) items.push({ ...item, apiVersion, kind } as KubeObject);
      }
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : resourceVersion;
    } while (cont);
    return { items, resourceVersion };
  }

  /** Server-side apply as field manager `gitseal`; `dryRun` changes nothing; `force` takes fields from other managers. */
  async apply(obj: KubeObject, options: { force: boolean; dryRun?: boolean }): Promise<KubeObject> {
    return (await this.applyWithStatus(obj, options)).object;
  }

  /** As apply, and whether the server created the object (201) rather than updating one. */
  async applyWithStatus(obj: KubeObject, options: { force: boolean; dryRun?: boolean }): Promise<{ object: KubeObject; created: boolean }> {
    const ref = refOf(obj);
    const path = await this.objectPath(ref);
    const { status, body } = await this.http.request('PATCH', path, `${options.dryRun ? 'dry-run ' : ''}apply ${describeRef(ref)}`, {
      query: { fieldManager: FIELD_MANAGER, force: String(options.force), dryRun: options.dryRun ? 'All' : undefined },
      body: obj,
      contentType: 'application/apply-patch+yaml',
    });
    if (!body || !isJsonObject(body.metadata)) throw new ReconcilerException('kube-unavailable', `apply ${describeRef(ref)}: the API server answered without an object`);
    return { object: body as KubeObject, created: status === 201 };
  }

  /** Deletes in the background; `uid` makes sure only that exact object goes. False if it was already gone. */
  async delete(ref: ObjectRef, uid?: string): Promise<boolean> {
    const path = await this.objectPath(ref);
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) };
    const res = await this.http.request('DELETE', path, `delete ${describeRef(ref)}`, { body, okStatuses: [404] });
    return res.status !== 404;
  }

  /**
   * Watches a kind with a label selector from `resourceVersion`. Events arrive through `onEvent`;
   * `onEnd` gets undefined when the server closed the stream, or the error (a 410 as kube-gone).
   */
  async watch(apiVersion: string, kind: string, labelSelector: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, onEnd: (err?: unknown) => void): Promise<WatchHandle> {
    const { path } = await this.collectionPath(apiVersion, kind, undefined);
    let ended = false;
    const end = (err?: unknown) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    const controller = await new Watch(this.kc).watch(
      path,
      { labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
      (phase: string, obj: unknown) => {
        if (ended || !isJsonObject(obj)) return;
        if (phase === 'ERROR') {
          const code = typeof obj.code === 'number' ? obj.code : 500;
          const message = typeof obj.message === 'string' ? obj.message : 'watch error';
          end(new ReconcilerException(code === 410 ? 'kube-gone' : 'kube-unavailable', `watch ${kind}: ${message}`));
          return;
        }
        if (phase === 'BOOKMARK') {
          const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
          if (typeof meta.resourceVersion === 'string') onEvent({ type: 'BOOKMARK', resourceVersion: meta.resourceVersion });
          return;
        }
        if ((phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') && isJsonObject(obj.metadata)) {
          onEvent({ type: phase, object: { ...obj, apiVersion, kind } as KubeObject });
        }
      },
      (err: unknown) => end(err ?? undefined),
    );
    return {
      stop() {
        ended = true;
        controller.abort();
      },
    };
  }

  /** Whether the error means "try again later" rather than "the request is wrong". */
  static isTransient(err: unknown): boolean {
    return isApiCode(err, 'kube-unavailable', 'kube-conflict', 'kube-gone');
  }
}
