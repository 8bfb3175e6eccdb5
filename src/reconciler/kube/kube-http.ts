import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { apiError, connectionError } from './kube-errors';
import { isJsonObject, type JsonObject } from './kube-object';

export interface KubeResponse {
  status: number;
  body: JsonObject | undefined;
}

type Method = 'GET' | 'PATCH' | 'DELETE' | 'POST';
const METHODS: Record<Method, HttpMethod> = { GET: HttpMethod.GET, PATCH: HttpMethod.PATCH, DELETE: HttpMethod.DELETE, POST: HttpMethod.POST };
/** Authentication (headers, TLS dispatcher) is worked out again after this long: tokens and certificates rotate. */
const AUTH_TTL_MS = 10_000;

interface Auth {
  at: number;
  headers: Record<string, string>;
  dispatcher: ReturnType<RequestContext['getDispatcher']>;
}

/**
 * JSON over HTTP to the API server through client-node's own transport and authentication
 * (kubeconfig users, tokens, exec plugins, client certificates, CA, proxies). Bodies stay plain
 * JSON: client-node's typed models drop fields they do not know, which a GitOps engine must never do.
 */
export class KubeHttp {
  private auth: Auth | undefined;
  private readonly library = new IsomorphicFetchHttpLibrary();
  readonly server: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs = 30_000,
  ) {
    const cluster = kc.getCurrentCluster();
    this.server = (cluster?.server ?? '').replace(/\/+$/, '');
  }

  get kubeConfig(): KubeConfig {
    return this.kc;
  }

  private async authentication(): Promise<Auth> {
    if (this.auth && Date.now() - this.auth.at < AUTH_TTL_MS) return this.auth;
    const probe = new RequestContext(`${this.server}/`, HttpMethod.GET);
    await this.kc.applySecurityAuthentication(probe);
    // Keep the first dispatcher (its connection pool) while the TLS material is the same object graph.
    const dispatcher = this.auth?.dispatcher && probe.getDispatcher() ? this.auth.dispatcher : probe.getDispatcher();
    this.auth = { at: Date.now(), headers: { ...probe.getHeaders() }, dispatcher };
    return this.auth;
  }

  /** `what` names the call in errors, e.g. `apply Deployment shop/web`. */
  async request(method: Method, path: string, what: string, options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string; okStatuses?: number[] } = {}): Promise<KubeResponse> {
    const url = new URL(`${this.server}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), METHODS[method]);
    const auth = await this.authentication();
    for (const [k, v] of Object.entries(auth.headers)) ctx.setHeaderParam(k, v);
    if (auth.dispatcher) ctx.setDispatcher(auth.dispatcher);
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('User-Agent', 'gitseal');
    if (options.body !== undefined) {
      ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(options.body));
    }
    ctx.setSignal(AbortSignal.timeout(this.timeoutMs));
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const res = await this.library.send(ctx).toPromise();
      status = res.httpStatusCode;
      retryAfter = res.headers['retry-after'];
      text = await res.body.text();
    } catch (err) {
      throw connectionError(err, what);
    }
    const body = parse(text);
    if (status >= 200 && status < 300) return { status, body };
    if (options.okStatuses?.includes(status)) return { status, body };
    throw apiError(status, body, what, retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined);
  }
}

function parse(text: string): JsonObject | undefined {
  if (text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
