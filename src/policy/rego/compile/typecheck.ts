/**
 * Checks on calls that OPA's type checker reports before evaluation: the number of arguments of
 * builtins and functions, and arguments that are constants of a type the builtin never accepts.
 */
import type { Term } from '../ast';
import { RegoError } from '../errors';
import type { RuleNode } from './rule-tree';
import { allNodes, rulesOf, visitRule } from './walk';

const INTERNAL = new Set(['eq', 'assign']);

const S = ['string'];
const N = ['number'];
const A = ['array'];
const O = ['object'];
const COLL = ['array', 'set'];
const ANY: string[] = [];

/** Operand types of common builtins, for arguments written as literals (OPA's checker rejects those). */
const DECLS: Record<string, string[][]> = {
  count: [['array', 'object', 'set', 'string']],
  sum: [COLL],
  product: [COLL],
  max: [COLL],
  min: [COLL],
  sort: [COLL],
  concat: [S, COLL],
  contains: [S, S],
  startswith: [S, S],
  endswith: [S, S],
  indexof: [S, S],
  split: [S, S],
  replace: [S, S, S],
  lower: [S],
  upper: [S],
  trim: [S, S],
  trim_space: [S],
  trim_prefix: [S, S],
  trim_suffix: [S, S],
  substring: [S, N, N],
  sprintf: [S, A],
  format_int: [N, N],
  abs: [N],
  round: [N],
  ceil: [N],
  floor: [N],
  plus: [N, N],
  mul: [N, N],
  div: [N, N],
  rem: [N, N],
  'numbers.range': [N, N],
  'array.concat': [A, A],
  'array.slice': [A, N, N],
  'array.reverse': [A],
  'object.get': [O, ANY, ANY],
  'object.keys': [O],
  'object.union': [O, O],
  'object.remove': [O, ['array', 'object', 'set']],
  'regex.match': [S, S],
  'strings.reverse': [S],
  'time.parse_rfc3339_ns': [S],
  'time.parse_duration_ns': [S],
  'json.unmarshal': [S],
  'base64.encode': [S],
  'base64.decode': [S],
};

/** The type of a term when it is written as a literal, else undefined. */
function literalType(t: Term): string | undefined {
  switch (t.type) {
    case 'scalar':
      return t.value === null ? 'null' : typeof t.value === 'object' ? 'number' : typeof t.value;
    case 'array':
    case 'arraycomp':
      return 'array';
    case 'object':
    case 'objectcomp':
      return 'object';
    case 'set':
    case 'setcomp':
      return 'set';
    default:
      return undefined;
  }
}

function checkOperandTypes(t: Term & { type: 'call' }, errors: RegoError[]): void {
  const decl = DECLS[t.op];
  if (!decl) return;
  decl.forEach((want, i) => {
    const arg = t.args[i];
    const got = arg ? literalType(arg) : undefined;
    if (got === undefined || want.length === 0 || want.includes(got)) return;
    const w = want.length === 1 ? want[0] : `one of {${want.join(', ')}}`;
    errors.push(new RegoError('rego_type_error', `${t.op}: invalid argument(s): operand ${i + 1} must be ${w} but got ${got}`, t.loc));
  });
}

export function checkCallTerm(t: Term, arity: (op: string) => number | undefined, errors: RegoError[], topLevel: boolean): void {
  if (t.type !== 'call' || t.funcRef || INTERNAL.has(t.op)) return;
  const n = arity(t.op);
  if (n === undefined || n < 0) return;
  const max = topLevel ? n + 1 : n;
  if (t.args.length < n || t.args.length > max) {
    const got = t.args.length;
    errors.push(new RegoError('rego_type_error', `function ${t.op} has arity ${n}, got ${got} argument${got === 1 ? '' : 's'}`, t.loc));
    return;
  }
  checkOperandTypes(t, errors);
}

export function checkCalls(root: RuleNode, arity: (op: string) => number | undefined): RegoError[] {
  const errors: RegoError[] = [];
  for (const n of allNodes(root)) {
    for (const r of rulesOf(n)) {
      const top = new Set<Term>();
      visitRule(r, () => undefined, (e) => {
        if (e.kind === 'term') top.add(e.term);
      });
      visitRule(r, (t) => checkCallTerm(t, arity, errors, top.has(t)));
    }
  }
  return errors;
}
