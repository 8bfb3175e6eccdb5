/**
 * The built-in Rego engine behind the PolicyEngine interface: loads a policy folder once,
 * prepares `data.gitseal` once, and evaluates it per decision. Errors are values.
 */
import { collectDecision, type PolicyDecision, type PolicyEngine, type PolicyError, type PolicyErrorCode, type PolicyEvalOptions, type PolicyOutcome } from './policy-engine';
import { LoadError, loadPolicyFolder } from './rego/loader';
import { RegoPolicy, type PreparedQuery } from './rego/rego';
import type { RegoFailure } from './rego/errors';
import { MAX_DEPTH, isObject, sortedEntries, type Value } from './rego/value';
import { toJS, toJsonText } from './rego/value-json';

export type LoadResult = { ok: true; engine: RegoPolicyEngine } | { ok: false; error: PolicyError };

export interface RegoEngineOptions {
  /** Default budget per decision when decide() gets none (ms). */
  timeoutMs?: number;
  /** Step budget per decision. */
  maxSteps?: number;
}

function codeOf(f: RegoFailure): PolicyErrorCode {
  const code = f.errors[0]?.code ?? 'eval_internal_error';
  if (code === 'rego_parse_error') return 'parse';
  if (code === 'eval_cancel_error') return 'timeout';
  if (code.startsWith('rego_')) return 'compile';
  return 'eval';
}

export function policyError(f: RegoFailure): PolicyError {
  return { code: codeOf(f), message: f.errors.map((e) => e.message).join('\n') };
}

export class RegoPolicyEngine implements PolicyEngine {
  readonly kind = 'rego' as const;

  private constructor(
    readonly digest: string,
    private readonly query: PreparedQuery,
    private readonly options: RegoEngineOptions,
  ) {}

  /** Loads `.rego` (not `*_test.rego`), `.json` and `.yaml` files under dir. */
  static load(dir: string, options: RegoEngineOptions = {}): LoadResult {
    let bundle;
    try {
      bundle = loadPolicyFolder(dir, { excludeTests: true });
    } catch (e) {
      if (e instanceof LoadError) return { ok: false, error: { code: 'parse', message: e.message } };
      return { ok: false, error: { code: 'parse', message: `cannot read policy folder: ${e instanceof Error ? e.message : String(e)}` } };
    }
    const policy = RegoPolicy.compile(bundle.modules, bundle.data);
    if (!policy.ok) return { ok: false, error: policyError(policy) };
    const query = policy.value.prepare('data.gitseal');
    if (!query.ok) return { ok: false, error: policyError(query) };
    return { ok: true, engine: new RegoPolicyEngine(bundle.digest, query.value, options) };
  }

  async decide(input: unknown, options: PolicyEvalOptions = {}): Promise<PolicyOutcome> {
    const r = this.query.evaluateRaw(input, { timeoutMs: options.timeoutMs ?? this.options.timeoutMs, maxSteps: this.options.maxSteps, strictBuiltinErrors: false });
    if (!r.ok) return { ok: false, error: policyError(r) };
    const doc = r.value[0]?.expressions[0];
    try {
      return { ok: true, decision: decisionOf(doc) };
    } catch (e) {
      return { ok: false, error: { code: 'eval', message: e instanceof Error ? e.message : String(e) } };
    }
  }
}

/**
 * The decision in the value of `data.gitseal`: what collectDecision() reads from toJS(doc), with
 * only the packages' `deny` and `warn` values converted (helper rules that hold whole manifests
 * are never copied).
 */
export function decisionOf(doc: Value | undefined): PolicyDecision {
  return collectDecision(doc === undefined ? {} : decisionDoc(doc, 0));
}

/** toJS(v), pruned to the keys collectDecision() looks at (deny, warn, nested objects). */
function decisionDoc(v: Value, depth: number): unknown {
  if (depth > MAX_DEPTH) return toJS(v, depth);
  if (!isObject(v)) return null;
  const out: Record<string, unknown> = {};
  for (const [k, x] of sortedEntries(v)) {
    const key = typeof k === 'string' ? k : toJsonText(k);
    if (key === 'deny' || key === 'warn') out[key] = toJS(x, depth + 1);
    else if (isObject(x)) out[key] = decisionDoc(x, depth + 1);
  }
  return out;
}
