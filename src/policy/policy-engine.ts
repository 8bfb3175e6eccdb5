/**
 * What the gate needs from a policy set, whatever evaluates it: the built-in Rego engine
 * (src/policy/rego/) or a bundle compiled by `opa build -t wasm` (src/policy/wasm/).
 *
 * Conventions (contracts §4): every package `gitseal` or `gitseal.*` takes part; each may define
 * `deny` and `warn`, sets of strings or of objects with a `msg` field. Evaluators compute the
 * document `data.gitseal` and hand it to collectDecision(), so both engines read it the same way.
 */
export interface PolicyMessage {
  /** The message shown to users and recorded as a reason. */
  msg: string;
  /** Dotted package that produced it, e.g. `gitseal.images`. */
  package: string;
  /** For object messages, the whole object (it may carry more than msg). */
  details?: Record<string, unknown>;
}

export interface PolicyDecision {
  deny: PolicyMessage[];
  warn: PolicyMessage[];
}

export type PolicyErrorCode =
  | 'parse' // a module does not parse
  | 'compile' // unsafe variables, recursion, type errors found before evaluation
  | 'eval' // runtime error (conflict, builtin error in strict mode, …)
  | 'timeout' // time or step budget exhausted
  | 'bundle'; // a wasm bundle that cannot be loaded

export interface PolicyError {
  code: PolicyErrorCode;
  /** OPA-style text, e.g. `policy.rego:12:5: rego_parse_error: unexpected }`. */
  message: string;
}

/** Errors are values: decide() never throws for anything the policies or the input do. */
export type PolicyOutcome = { ok: true; decision: PolicyDecision } | { ok: false; error: PolicyError };

export interface PolicyEvalOptions {
  /** Wall-clock budget for one decision; exceeded means { ok: false, code: 'timeout' }. */
  timeoutMs?: number;
}

export interface PolicyEngine {
  readonly kind: 'rego' | 'wasm';
  /** sha256 hex over the policy bundle's files (paths and bytes), recorded with every decision. */
  readonly digest: string;
  decide(input: unknown, options?: PolicyEvalOptions): Promise<PolicyOutcome>;
}

/**
 * Reads deny/warn out of the value of `data.gitseal` (plain JSON: sets as arrays). Walks nested
 * packages: { images: { deny: [...] }, deny: [...] } gives messages from `gitseal.images` and `gitseal`.
 * A message that is neither a string nor an object with a string `msg` is itself reported as a deny,
 * so a malformed rule can never silently allow.
 */
export function collectDecision(gitsealDoc: unknown): PolicyDecision {
  const decision: PolicyDecision = { deny: [], warn: [] };
  walk(gitsealDoc, 'gitseal', decision, 0);
  const byText = (a: PolicyMessage, b: PolicyMessage) =>
    a.package === b.package ? (a.msg < b.msg ? -1 : a.msg > b.msg ? 1 : 0) : a.package < b.package ? -1 : 1;
  decision.deny.sort(byText);
  decision.warn.sort(byText);
  return decision;
}

const MAX_PACKAGE_DEPTH = 32;

function walk(doc: unknown, pkg: string, out: PolicyDecision, depth: number): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || depth > MAX_PACKAGE_DEPTH) return;
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (key === 'deny' || key === 'warn') {
      const target = key === 'deny' ? out.deny : out.warn;
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) target.push(toMessage(item, pkg, key));
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      walk(value, `${pkg}.${key}`, out, depth + 1);
    }
  }
}

function toMessage(item: unknown, pkg: string, kind: 'deny' | 'warn'): PolicyMessage {
  if (typeof item === 'string') return { msg: item, package: pkg };
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const obj = item as Record<string, unknown>;
    if (typeof obj.msg === 'string') return { msg: obj.msg, package: pkg, details: obj };
  }
  return { msg: `${pkg}.${kind} produced a value that is not a message: ${JSON.stringify(item)}`, package: pkg };
}
