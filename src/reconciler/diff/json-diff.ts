import { deepEqual, isJsonObject, type JsonValue, type KubeObject } from '../kube/kube-object';
import type { FieldChange } from './diff';
import { formatPointer } from './json-pointer';

const SERVER_METADATA = new Set(['resourceVersion', 'managedFields', 'generation', 'uid', 'creationTimestamp', 'selfLink']);

function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: string[], out: FieldChange[]): void {
  if (deepEqual(before, after)) return;
  if (isJsonObject(before) && isJsonObject(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) walk(before[k], after[k], [...path, k], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((v, i) => walk(v, after[i], [...path, String(i)], out));
    return;
  }
  out.push({ path: formatPointer(path), ...(before !== undefined ? { live: before } : {}), ...(after !== undefined ? { desired: after } : {}) });
}

function stored(obj: KubeObject): JsonValue {
  const { status: _status, ...rest } = obj;
  const meta = Object.fromEntries(Object.entries(obj.metadata).filter(([k]) => !SERVER_METADATA.has(k)));
  return { ...rest, metadata: meta };
}

/**
 * Every field that differs between the live object and what the API server says it would store
 * (a server-side dry run): server defaults and normalisations included, server bookkeeping and
 * status left out. Pure.
 */
export function storedDiff(live: KubeObject, wouldStore: KubeObject): FieldChange[] {
  const out: FieldChange[] = [];
  walk(stored(live), stored(wouldStore), [], out);
  return out;
}
