import { randomUUID, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, systemClock } from '../common/clock';
import { errorMessage } from '../common/domain.exception';
import { ApiError, failureStatus } from './api-error';
import { DEFAULT_MAX_BODY_BYTES, mediaType, parseBody, readBody } from './body-reader';
import { GarbageCollector } from './controllers/garbage-collector';
import { type SandboxControllers, WorkloadController } from './controllers/workload-controller';
import { DeletionService } from './deletion';
import { type Availability, FaultPlan, type RequestMatch, type SandboxFaults, faultError } from './faults';
import { HttpRouter } from './http-router';
import { kubeConfigYaml, makeKubeConfig } from './kubeconfig';
import { ObjectStore, storageKey } from './object-store';
import { ObjectWriter } from './object-writer';
import { StatePersistence } from './persistence';
import { type RequestRecord, RequestLog, recordOf } from './request-log';
import { parseRoute } from './request-info';
import { ResourceRegistry } from './resource-registry';
import { ResourceService } from './resource-service';
import { type JsonValue, type KubeObject, deepClone } from './sandbox.types';
import { WatchHub } from './watch-hub';
import { serveWatch } from './watch-stream';

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Bearer token every request must carry; none by default. */
  token?: string;
  maxBodyBytes?: number;
  /** Delay before simulated workloads report ready or failed (default 300 ms). */
  controllerDelayMs?: number;
  /** Nodes a DaemonSet is scheduled on (default 1). */
  nodes?: number;
  /** Events kept for watches that resume from a resourceVersion (default 10,000). */
  watchHistorySize?: number;
  bookmarkIntervalMs?: number;
  /** Watch duration when the client gives no timeoutSeconds (default 1800). */
  watchTimeoutSeconds?: number;
  /** Keep the objects in this JSON file across restarts. */
  stateFile?: string;
  stateDebounceMs?: number;
  requestLogSize?: number;
  clock?: Clock;
}

export interface SandboxApiServer {
  readonly url: string;
  readonly port: number;
  kubeConfig(): KubeConfig;
  kubeConfigYaml(): string;
  readonly faults: SandboxFaults;
  readonly controllers: SandboxControllers;
  readonly requests: RequestLog;
  /** The stored object, as the API would serve it, or undefined. */
  getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Writes the state file now (when one is configured). */
  flushState(): Promise<void>;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function sendJson(res: ServerResponse, status: number, body: JsonValue | string, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
    ...headers,
  });
  res.end(text);
}

class Sandbox implements SandboxApiServer {
  readonly requests: RequestLog;
  readonly faults: SandboxFaults;
  readonly controllers: WorkloadController;
  private readonly registry = new ResourceRegistry();
  private readonly store = new ObjectStore();
  private readonly hub: WatchHub;
  private readonly writer: ObjectWriter;
  private readonly resources: ResourceService;
  private readonly router: HttpRouter;
  private readonly gc: GarbageCollector;
  private readonly persistence?: StatePersistence;
  private readonly plan = new FaultPlan();
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<() => void>();
  private readonly server: Server;
  private mode: Availability = 'up';
  private boundPort = 0;

  constructor(private readonly opts: SandboxOptions) {
    this.requests = new RequestLog(opts.requestLogSize);
    this.hub = new WatchHub(opts.watchHistorySize ?? 10_000);
    if (opts.stateFile) this.persistence = new StatePersistence(opts.stateFile, this.store, opts.stateDebounceMs ?? 200);
    this.writer = new ObjectWriter(this.store, this.hub, this.registry, opts.clock ?? systemClock, () => this.persistence?.schedule());
    this.resources = new ResourceService(this.writer);
    const deletion = new DeletionService(this.writer, this.resources);
    this.router = new HttpRouter(this.registry, this.resources, deletion);
    this.gc = new GarbageCollector(this.writer, this.resources, deletion);
    this.controllers = new WorkloadController(this.writer, this.resources, opts.controllerDelayMs ?? 300, opts.nodes ?? 1);
    this.faults = this.faultControls();
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${HOST}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    this.persistence?.load(this.registry, this.hub);
    const namespaces = this.registry.lookup('', 'v1', 'namespaces');
    for (const name of SYSTEM_NAMESPACES) {
      if (!namespaces || this.store.get(storageKey(namespaces), '', name)) continue;
      this.resources.create({ type: namespaces, namespace: '', name, dryRun: false, fieldManager: 'kube-apiserver' }, { metadata: { name } });
    }
    await this.listen(this.opts.port ?? 0);
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, HOST, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : port;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    for (const end of [...this.watches]) end();
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  kubeConfig(): KubeConfig {
    return makeKubeConfig(this.url, this.opts.token);
  }

  kubeConfigYaml(): string {
    return kubeConfigYaml(this.url, this.opts.token);
  }

  getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.registry.byKind(apiVersion, kind);
    if (!type) return undefined;
    const obj = this.store.get(storageKey(type), type.namespaced ? (namespace ?? '') : '', name);
    return obj ? deepClone(this.writer.serve(obj, type)) : undefined;
  }

  flushState(): Promise<void> {
    return this.persistence?.flush() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.controllers.stop();
    this.gc.stop();
    if (this.mode !== 'refuse') await this.stopListening();
    this.mode = 'refuse';
    await this.flushState();
  }

  private faultControls(): SandboxFaults {
    const plan = this.plan;
    const self = this;
    return {
      failNext: (count: number, match: RequestMatch, status) => plan.addRule(count, match, { type: 'status', ...status }),
      dropNext: (count: number, match: RequestMatch, when: 'before' | 'after' = 'before') => plan.addRule(count, match, { type: 'drop', when }),
      addLatency: (ms: number, match: RequestMatch = {}) => plan.addLatency(ms, match),
      async setUnavailable(mode: 'http-503' | 'refuse' = 'http-503') {
        for (const end of [...self.watches]) end();
        if (mode === 'refuse' && self.mode !== 'refuse') await self.stopListening();
        if (mode === 'http-503' && self.mode === 'refuse') await self.listen(self.boundPort);
        self.mode = mode;
      },
      async restore() {
        if (self.mode === 'refuse') await self.listen(self.boundPort);
        self.mode = 'up';
      },
      get availability() {
        return self.mode;
      },
      clear: () => plan.clear(),
    };
  }

  private authenticate(req: IncomingMessage): void {
    if (!this.opts.token) return;
    const expected = Buffer.from(`Bearer ${this.opts.token}`);
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const route = parseRoute(url.pathname);
    const record = recordOf(req, url, route, this.registry);
    this.requests.add(record);
    let dropAfter = false;
    try {
      if (this.mode === 'http-503') throw new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
      this.authenticate(req);
      const latency = this.plan.latencyFor(record);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      const fault = this.plan.take(record);
      if (fault?.type === 'status') throw faultError(fault);
      if (fault?.type === 'drop' && fault.when === 'before') return this.drop(req, record);
      dropAfter = fault?.type === 'drop';
      const contentType = mediaType(req.headers['content-type']);
      const raw = BODY_METHODS.has(record.method) ? await readBody(req, this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) : undefined;
      const body = raw && raw.length > 0 ? parseBody(raw, req.method === 'DELETE' && contentType === '' ? 'application/json' : contentType) : undefined;
      const out = this.router.handle({
        method: record.method,
        route,
        query: url.searchParams,
        contentType,
        userAgent: record.userAgent,
        accept: req.headers.accept,
        body: () => body,
        serverAddress: `${HOST}:${this.boundPort}`,
        watch: (type, namespace) => {
          const end = serveWatch(res, this.writer, type, namespace, url.searchParams, {
            bookmarkIntervalMs: this.opts.bookmarkIntervalMs ?? 5000,
            defaultTimeoutSeconds: this.opts.watchTimeoutSeconds ?? 1800,
          });
          this.watches.add(end);
          res.on('close', () => this.watches.delete(end));
        },
      });
      if (dropAfter) return this.drop(req, record);
      record.status = out ? out.status : 200;
      if (out) sendJson(res, out.status, out.body);
    } catch (err) {
      if (dropAfter) return this.drop(req, record);
      this.sendError(res, record, err);
    }
  }

  private drop(req: IncomingMessage, record: RequestRecord): void {
    record.status = 'dropped';
    req.socket.destroy();
  }

  private sendError(res: ServerResponse, record: RequestRecord, err: unknown): void {
    const apiError = err instanceof ApiError ? err : undefined;
    const status = apiError ? apiError.toStatus() : failureStatus(500, 'InternalError', `Internal error occurred: ${errorMessage(err)}`);
    const code = apiError ? apiError.httpStatus : 500;
    record.status = code;
    if (res.headersSent) {
      res.end();
      return;
    }
    const headers: Record<string, string> = {};
    const retry = apiError?.statusDetails?.retryAfterSeconds;
    if (retry !== undefined) headers['Retry-After'] = String(retry);
    sendJson(res, code, status, headers);
  }
}

/** Starts the sandbox API server on 127.0.0.1. */
export async function startSandboxApiServer(options: SandboxOptions = {}): Promise<SandboxApiServer> {
  const sandbox = new Sandbox(options);
  await sandbox.start();
  return sandbox;
}
