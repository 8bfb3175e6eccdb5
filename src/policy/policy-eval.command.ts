import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { EXIT_OK, EXIT_USAGE, parseCommandArgs, UsageError, type CliCommand, type CliIo } from '../cli/command';
import { parseJsonValue } from './rego/builtins/encoding';
import { LoadError, loadPolicyRoots, MAX_FILE_BYTES } from './rego/loader';
import { RegoPolicy, type RawResult } from './rego/rego';
import { toJsonText } from './rego/value-json';
import { ObjectBuilder, type Value } from './rego/value';
import { parse as parseYaml } from 'yaml';
import { checkJson } from './rego/value-json';

const HELP = `usage: gitseal policy eval [--policies DIR] [--data PATH]… [--input FILE] QUERY

Evaluates a Rego query with the built-in engine, like \`opa eval\`, and prints the result in
OPA's JSON shape: {"result":[{"expressions":[{"value":…,"text":"…","location":{…}}],"bindings":{…}}]}
(an undefined query prints {}).

  QUERY              e.g. data.gitseal.deny, or a body such as 'x := data.a; x > 1'
  --policies DIR     a policy folder: .rego modules and .json/.yaml data (placed by folder)
  -d, --data PATH    more .rego/.json/.yaml files or folders (repeatable)
  -i, --input FILE   the input document (JSON or YAML)
  --strict           builtin errors end the evaluation instead of making it undefined
  --timeout MS       evaluation budget in milliseconds (default 5000)

Exit status: 0 evaluated (also when undefined), 2 bad usage, unreadable files, parse, compile
or evaluation errors (printed as OPA prints them).`;

const OPTIONS = {
  policies: { type: 'string' },
  data: { type: 'string', short: 'd', multiple: true },
  input: { type: 'string', short: 'i' },
  strict: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

function abs(io: CliIo, p: string): string {
  return isAbsolute(p) ? p : join(io.cwd, p);
}

function readInput(io: CliIo, path: string): Value {
  const full = abs(io, path);
  let text: string;
  try {
    if (statSync(full).size > MAX_FILE_BYTES * 4) throw new UsageError(`input ${path} is larger than ${MAX_FILE_BYTES * 4} bytes`);
    text = readFileSync(full, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read input ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    if (path.endsWith('.yaml') || path.endsWith('.yml')) return checkJson(parseYaml(text, { maxAliasCount: 100 }) ?? null, 'input');
    return parseJsonValue(text);
  } catch (err) {
    throw new UsageError(`input ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'JSON or YAML'}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** OPA's result JSON (exact numbers, sorted keys, two-space indent); {} when undefined. */
export function formatResults(results: RawResult[], texts: { text: string; row: number; col: number }[]): string {
  if (results.length === 0) return '{}';
  const obj = (entries: [string, Value][]) => {
    const b = new ObjectBuilder();
    for (const [k, v] of entries) b.set(k, v);
    return b.build();
  };
  const result = results.map((r) => {
    const expressions = r.expressions.map((v, i) => obj([['value', v], ['text', texts[i].text], ['location', obj([['row', texts[i].row], ['col', texts[i].col]])]]));
    const entries: [string, Value][] = [['expressions', expressions]];
    if (r.bindings.size > 0) entries.push(['bindings', obj([...r.bindings])]);
    return obj(entries);
  });
  return toJsonText(obj([['result', result]]), 2);
}

export const policyEvalCommand: CliCommand = {
  path: ['policy', 'eval'],
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing QUERY' : 'expected exactly one QUERY');
    const roots = [...(values.policies ? [values.policies] : []), ...(values.data ?? [])].map((p) => ({ path: abs(io, p), shown: p }));
    const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError('--timeout must be a positive whole number of milliseconds');
    let bundle;
    try {
      bundle = loadPolicyRoots(roots);
    } catch (err) {
      if (err instanceof LoadError) throw new UsageError(err.message);
      throw err;
    }
    const input = values.input === undefined ? undefined : readInput(io, values.input);
    const policy = RegoPolicy.compile(bundle.modules, bundle.data);
    if (!policy.ok) return fail(io, policy.message);
    const query = policy.value.prepare(positionals[0]);
    if (!query.ok) return fail(io, query.message);
    const lines: string[] = [];
    const r = query.value.evaluateRaw(input, { strictBuiltinErrors: values.strict ?? false, timeoutMs, print: (l) => lines.push(l) });
    for (const l of lines) io.stderr(`${l}\n`);
    if (!r.ok) return fail(io, r.message);
    io.stdout(`${formatResults(r.value, query.value.expressionTexts())}\n`);
    return EXIT_OK;
  },
};

function fail(io: CliIo, message: string): number {
  io.stderr(`${message}\n`);
  return EXIT_USAGE;
}
