/**
 * The built-in Rego engine behind the PolicyEngine interface: loads a policy folder once,
 * prepares `data.gitseal` once, and evaluates it per decision. Errors are values.
 */
import { collectDecision, type PolicyEngine, type PolicyError, type PolicyErrorCode, type PolicyEvalOptions, type PolicyOutcome } from './policy-engine';
import { LoadError, loadPolicyFolder } from './rego/loader';
import { RegoPolicy, type PreparedQuery } from './rego/rego';
import type { RegoFailure } from './rego/errors';
import { toJS } from './rego/value-json';

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
      return { ok: true, decision: collectDecision(doc === undefined ? {} : toJS(doc)) };
    } catch (e) {
      return { ok: false, error: { code: 'eval', message: e instanceof Error ? e.message : String(e) } };
    }
  }
}
