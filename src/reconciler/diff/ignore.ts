import type { ObjectKey } from '../kube/kube-object';
import type { IgnoreRule } from '../target-settings';
import { parsePointer, startsWith } from './json-pointer';

/** The ignoreDifferences rules that apply to one object, compiled. */
export interface IgnoreMatcher {
  pointers: string[][];
  managers: ReadonlySet<string>;
}

export const NO_IGNORE: IgnoreMatcher = { pointers: [], managers: new Set() };

function matches(rule: IgnoreRule, key: ObjectKey): boolean {
  if (rule.group !== undefined && rule.group !== key.group) return false;
  if (rule.kind !== undefined && rule.kind !== key.kind) return false;
  if (rule.name !== undefined && rule.name !== key.name) return false;
  return rule.namespace === undefined || rule.namespace === key.namespace;
}

export function ignoreFor(rules: readonly IgnoreRule[], key: ObjectKey): IgnoreMatcher {
  const applicable = rules.filter((r) => matches(r, key));
  if (applicable.length === 0) return NO_IGNORE;
  return {
    pointers: applicable.flatMap((r) => r.jsonPointers.map(parsePointer)),
    managers: new Set(applicable.flatMap((r) => r.managedFieldsManagers)),
  };
}

export function pointerIgnored(m: IgnoreMatcher, path: readonly string[]): boolean {
  return m.pointers.some((p) => startsWith(path, p));
}
