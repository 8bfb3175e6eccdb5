import { badRequest } from './api-error';

/** One requirement of a label selector, as `k8s.io/apimachinery/pkg/labels` parses it. */
export type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'gt' | 'lt'; key: string; value: number };

export type LabelSelector = Requirement[];

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): string {
  // Length first: the pattern is linear only on bounded input.
  if (key.length > 316 || !KEY_RE.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (value.length > 63 || !VALUE_RE.test(value)) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}"`);
  }
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim());
}

const SET_RE = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/;
const CMP_RE = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(.*)$/;

function parseTerm(term: string): Requirement {
  if (term === '') throw badRequest('unable to parse requirement: found \'\', expected: identifier');
  if (term.startsWith('!')) return { op: 'notexists', key: checkKey(term.slice(1).trim()) };
  const set = SET_RE.exec(term);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(v.trim()));
    return { op: set[2] === 'in' ? 'in' : 'notin', key: checkKey(set[1]), values };
  }
  const cmp = CMP_RE.exec(term);
  if (cmp) {
    const key = checkKey(cmp[1]);
    const raw = cmp[3].trim();
    if (cmp[2] === '<' || cmp[2] === '>') {
      if (!/^-?\d+$/.test(raw)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      return { op: cmp[2] === '<' ? 'lt' : 'gt', key, value: Number(raw) };
    }
    return { op: cmp[2] === '!=' ? 'neq' : 'eq', key, value: checkValue(raw) };
  }
  return { op: 'exists', key: checkKey(term) };
}

/** Parses `app=web,tier in (a,b),!legacy`; an empty string selects everything. */
export function parseLabelSelector(selector: string | undefined): LabelSelector {
  if (selector === undefined || selector.trim() === '') return [];
  return splitTerms(selector).map(parseTerm);
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.op) {
      case 'eq':
        if (!has || value !== r.value) return false;
        break;
      case 'neq':
        if (has && value === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(value)) return false;
        const n = Number(value);
        if (r.op === 'gt' ? !(n > r.value) : !(n < r.value)) return false;
        break;
      }
    }
  }
  return true;
}
