import { ApiError } from './api-error';
import type { RequestRecord } from './request-log';

/** Which requests a fault applies to; every given field must match. */
export interface RequestMatch {
  method?: string;
  /** A path prefix or a regular expression over the path. */
  path?: string | RegExp;
  kind?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  /** Only writes (POST, PUT, PATCH, DELETE). */
  writesOnly?: boolean;
  /** Let this many matching requests through before the fault starts (a failure mid-sync). */
  skip?: number;
  predicate?: (request: RequestRecord) => boolean;
}

export type FaultAction =
  | { type: 'status'; code: number; reason?: string; message?: string; retryAfterSeconds?: number }
  /** Cut the connection without an answer: `before` the request is handled, or `after` it took effect. */
  | { type: 'drop'; when: 'before' | 'after' };

interface Rule {
  match: RequestMatch;
  toSkip: number;
  remaining: number;
  action: FaultAction;
}

interface Latency {
  match: RequestMatch;
  ms: number;
}

export type Availability = 'up' | 'http-503' | 'refuse';

/** The fault controls of a sandbox server. */
export interface SandboxFaults {
  /** Answer the next `count` matching requests with an error status instead of handling them. */
  failNext(count: number, match: RequestMatch, status: { code: number; reason?: string; message?: string; retryAfterSeconds?: number }): void;
  /** Cut the connection of the next `count` matching requests. */
  dropNext(count: number, match: RequestMatch, when?: 'before' | 'after'): void;
  /** Delay every matching request by `ms`; returns a function that removes the delay. */
  addLatency(ms: number, match?: RequestMatch): () => void;
  /** `http-503`: every request answered 503; `refuse`: the port stops accepting connections. */
  setUnavailable(mode?: 'http-503' | 'refuse'): Promise<void>;
  /** Serve again on the same port. */
  restore(): Promise<void>;
  readonly availability: Availability;
  /** Remove every pending fault and latency. */
  clear(): void;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function matches(match: RequestMatch, r: RequestRecord): boolean {
  if (match.method && match.method.toUpperCase() !== r.method) return false;
  if (match.writesOnly && !WRITE_METHODS.has(r.method)) return false;
  if (typeof match.path === 'string' && !r.path.startsWith(match.path)) return false;
  if (match.path instanceof RegExp && !match.path.test(r.path)) return false;
  if (match.kind && match.kind !== r.kind) return false;
  if (match.resource && match.resource !== r.resource) return false;
  if (match.namespace !== undefined && match.namespace !== r.namespace) return false;
  if (match.name !== undefined && match.name !== r.name) return false;
  return !match.predicate || match.predicate(r);
}

/** Pending faults; the server consults it for every request. */
export class FaultPlan {
  private rules: Rule[] = [];
  private latencies: Latency[] = [];

  addRule(count: number, match: RequestMatch, action: FaultAction): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    this.rules.push({ match, remaining: count, toSkip: match.skip ?? 0, action });
  }

  addLatency(ms: number, match: RequestMatch): () => void {
    const entry = { match, ms };
    this.latencies.push(entry);
    return () => {
      this.latencies = this.latencies.filter((l) => l !== entry);
    };
  }

  /** Takes the first matching fault, consuming one of its uses. */
  take(r: RequestRecord): FaultAction | undefined {
    const rule = this.rules.find((x) => x.remaining > 0 && matches(x.match, r));
    if (!rule) return undefined;
    if (rule.toSkip > 0) {
      rule.toSkip -= 1;
      return undefined;
    }
    rule.remaining -= 1;
    this.rules = this.rules.filter((x) => x.remaining > 0);
    return rule.action;
  }

  latencyFor(r: RequestRecord): number {
    return this.latencies.filter((l) => matches(l.match, r)).reduce((sum, l) => sum + l.ms, 0);
  }

  clear(): void {
    this.rules = [];
    this.latencies = [];
  }
}

/** The Status an injected failure answers with: the real reason and message for its code. */
export function faultError(action: Extract<FaultAction, { type: 'status' }>): ApiError {
  const defaults: Record<number, [string, string]> = {
    409: ['Conflict', 'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    500: ['InternalError', 'an error on the server ("injected fault") has prevented the request from succeeding'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  const [reason, message] = defaults[action.code] ?? ['InternalError', 'injected fault'];
  const details = action.retryAfterSeconds !== undefined ? { retryAfterSeconds: action.retryAfterSeconds } : undefined;
  return new ApiError(action.code, (action.reason ?? reason) as ApiError['reason'], action.message ?? message, details);
}
