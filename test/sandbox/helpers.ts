import { ApiException, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { type SandboxApiServer, type SandboxOptions, startSandboxApiServer } from '../../src/sandbox';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** A request straight to the sandbox, for what the client hides (status codes, bodies, headers). */
export async function raw(sandbox: SandboxApiServer, method: string, path: string, body?: unknown, contentType = 'application/json', headers: Record<string, string> = {}): Promise<RawResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = contentType;
  }
  const res = await fetch(`${sandbox.url}${path}`, init);
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (health endpoints)
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxApiServer> {
  return startSandboxApiServer({ controllerDelayMs: 30, ...options });
}

export function objectApi(sandbox: SandboxApiServer): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(sandbox.kubeConfig());
}

/** The HTTP status and Status body of a failed client call. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiException) {
      const body = typeof err.body === 'string' ? (JSON.parse(err.body) as Record<string, unknown>) : (err.body as Record<string, unknown>);
      return { code: err.code, body };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

export async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function deployment(name: string, namespace: string, extra: { replicas?: number; image?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KubernetesObject & Record<string, unknown> {
  const labels = { app: name, ...(extra.labels ?? {}) };
  const metadata: Record<string, unknown> = { name, namespace, labels };
  if (extra.annotations) metadata.annotations = extra.annotations;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: extra.image ?? 'nginx:1.27' }] } },
    },
  } as KubernetesObject & Record<string, unknown>;
}

export function configMap(name: string, namespace: string, data: Record<string, string>, labels: Record<string, string> = {}): KubernetesObject & Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data } as KubernetesObject & Record<string, unknown>;
}
