import { deepEqual, isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../kube/kube-object';
import { COMMIT_ANNOTATION } from '../render/render';
import { NO_IGNORE, pointerIgnored, type IgnoreMatcher } from './ignore';
import { formatPointer } from './json-pointer';
import { listKind, type ListKind } from './list-keys';
import { itemMatches, managedEntries, ownedLeaves, ownersOf, stepsToSegments, type Step } from './managed-fields';

/** One field that differs: its JSON pointer (list positions of the desired object), the live and the desired value. */
export interface FieldChange {
  path: string;
  live?: JsonValue;
  desired?: JsonValue;
  /** Managers that own the live field (from managedFields), when the live object has it. */
  owners?: string[];
}

export interface ObjectDiff {
  /** Differences gitseal acts on; empty when the object is in sync. */
  changes: FieldChange[];
  /** Differences left alone by ignoreDifferences. */
  ignored: FieldChange[];
  /** The desired object with ignored fields set to their live values: what an apply should send. */
  patched: KubeObject;
  created: boolean;
}

export interface DiffOptions {
  ignore?: IgnoreMatcher;
  /** Report fields `manager` owns in the live object that the desired object no longer has (what an apply removes). */
  removalsOf?: string;
}

/** Metadata that identifies an object or that the server writes: never a difference. */
const SKIP_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
const SKIP_ROOT = new Set(['apiVersion', 'kind', 'status', 'metadata']);

interface Ctx {
  kind: string;
  live: KubeObject;
  ignore: IgnoreMatcher;
  changes: FieldChange[];
  ignored: FieldChange[];
}

function keyOfItem(item: JsonValue, lk: Extract<ListKind, { type: 'map' }>): JsonObject | undefined {
  if (!isJsonObject(item)) return undefined;
  const key: JsonObject = {};
  for (const k of lk.keys) {
    const v = item[k] ?? lk.defaults[k];
    if (v === undefined) return undefined;
    key[k] = v;
  }
  return key;
}

function differ(ctx: Ctx, d: JsonValue, l: JsonValue | undefined, path: string[], livePath: string[] | undefined): JsonValue {
  const owners = livePath && l !== undefined ? ownersOf(ctx.live, livePath) : [];
  const change: FieldChange = { path: formatPointer(path), live: l, desired: d, owners };
  if (owners.some((m) => ctx.ignore.managers.has(m))) {
    ctx.ignored.push(change);
    return l as JsonValue;
  }
  ctx.changes.push(change);
  return d;
}

function diffList(ctx: Ctx, d: JsonValue[], l: JsonValue[], path: string[], livePath: string[], names: string[]): JsonValue {
  const lk = listKind(ctx.kind, names);
  if (lk.type === 'map') {
    return d.map((item, i) => {
      const key = keyOfItem(item, lk);
      const at = key ? l.findIndex((li) => { const k = keyOfItem(li, lk); return k !== undefined && deepEqual(k, key); }) : -1;
      if (at < 0) return differ(ctx, item, undefined, [...path, String(i)], undefined);
      return diffValue(ctx, item, l[at], [...path, String(i)], [...livePath, String(at)], names);
    });
  }
  if (lk.type === 'set') {
    return d.every((item) => l.some((li) => deepEqual(li, item))) ? d : differ(ctx, d, l, path, livePath);
  }
  if (d.length !== l.length) return differ(ctx, d, l, path, livePath);
  if (d.every((item, i) => isJsonObject(item) && isJsonObject(l[i]))) {
    return d.map((item, i) => diffValue(ctx, item, l[i], [...path, String(i)], [...livePath, String(i)], names));
  }
  return deepEqual(d, l) ? d : differ(ctx, d, l, path, livePath);
}

function diffValue(ctx: Ctx, d: JsonValue, l: JsonValue | undefined, path: string[], livePath: string[] | undefined, names: string[]): JsonValue {
  // kubectl-generated manifests carry `creationTimestamp: null` and the like: null means unset.
  if (d === null && (l === undefined || l === null)) return d;
  if (pointerIgnored(ctx.ignore, path)) {
    if (!deepEqual(d, l)) ctx.ignored.push({ path: formatPointer(path), live: l, desired: d });
    return l === undefined ? d : l;
  }
  if (isJsonObject(d)) {
    if (!isJsonObject(l) || !livePath) return l === undefined && Object.keys(d).length === 0 ? d : differ(ctx, d, l, path, livePath);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(d)) out[k] = diffValue(ctx, v, l[k], [...path, k], [...livePath, k], [...names, k]);
    return out;
  }
  if (Array.isArray(d)) {
    if (!Array.isArray(l) || !livePath) return l === undefined && d.length === 0 ? d : differ(ctx, d, l, path, livePath);
    return diffList(ctx, d, l, path, livePath, names);
  }
  return deepEqual(d, l) ? d : differ(ctx, d, l, path, livePath);
}

function diffMetadata(ctx: Ctx, d: JsonObject, l: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(d)) {
    if (SKIP_METADATA.has(k)) {
      out[k] = v;
      continue;
    }
    if (k === 'annotations' && isJsonObject(v)) {
      const { [COMMIT_ANNOTATION]: commit, ...rest } = v;
      const compared = diffValue(ctx, rest, l.annotations, ['metadata', 'annotations'], ['metadata', 'annotations'], ['metadata', 'annotations']);
      out[k] = isJsonObject(compared) && commit !== undefined ? { ...compared, [COMMIT_ANNOTATION]: commit } : compared;
      continue;
    }
    out[k] = diffValue(ctx, v, l[k], ['metadata', k], ['metadata', k], ['metadata', k]);
  }
  return out;
}

/** Where `steps` (over the live object) lead in `desired`, or undefined when desired lacks that field. */
function resolveIn(desired: JsonValue, steps: readonly Step[]): JsonValue | undefined {
  let value: JsonValue | undefined = desired;
  for (const s of steps) {
    if ('field' in s) value = isJsonObject(value) ? value[s.field] : undefined;
    else value = Array.isArray(value) ? value.find((item, i) => itemMatches(s.match, item, i)) : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

function valueAt(obj: JsonValue, segments: readonly string[]): JsonValue | undefined {
  let value: JsonValue | undefined = obj;
  for (const s of segments) value = Array.isArray(value) ? value[Number(s)] : isJsonObject(value) ? value[s] : undefined;
  return value;
}

function removals(ctx: Ctx, desired: KubeObject, manager: string): void {
  for (const entry of managedEntries(ctx.live)) {
    if (entry.manager !== manager || entry.subresource) continue;
    for (const steps of ownedLeaves(entry.fields, ctx.live)) {
      const segments = stepsToSegments(steps);
      if (segments[0] === 'status' || (segments[0] === 'metadata' && SKIP_METADATA.has(segments[1] ?? ''))) continue;
      if (resolveIn(desired, steps) !== undefined || pointerIgnored(ctx.ignore, segments)) continue;
      ctx.changes.push({ path: formatPointer(segments), live: valueAt(ctx.live, segments), owners: ownersOf(ctx.live, segments) });
    }
  }
}

/** What an object without server fields looks like, for recording a creation. */
export function comparable(obj: KubeObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (!SKIP_ROOT.has(k)) out[k] = v;
  const meta: JsonObject = {};
  for (const [k, v] of Object.entries(obj.metadata)) if (!SKIP_METADATA.has(k)) meta[k] = v;
  if (isJsonObject(meta.annotations)) {
    const { [COMMIT_ANNOTATION]: _commit, ...rest } = meta.annotations;
    meta.annotations = rest;
  }
  return { metadata: meta, ...out };
}

/**
 * Compares the fields the desired object sets with the live object, the way server-side apply
 * sees them: fields only the server or other managers set are not differences; associative lists
 * are matched by their keys; `status`, identity and server metadata are skipped, and so is the
 * commit annotation. Pure.
 */
export function diffObject(desired: KubeObject, live: KubeObject | undefined, options: DiffOptions = {}): ObjectDiff {
  if (!live) return { changes: [{ path: '', desired: comparable(desired) }], ignored: [], patched: desired, created: true };
  const ctx: Ctx = { kind: desired.kind, live, ignore: options.ignore ?? NO_IGNORE, changes: [], ignored: [] };
  const patched: KubeObject = { ...desired, metadata: diffMetadata(ctx, desired.metadata, live.metadata) };
  for (const [k, v] of Object.entries(desired)) {
    if (SKIP_ROOT.has(k)) continue;
    patched[k] = diffValue(ctx, v, live[k], [k], [k], [k]);
  }
  if (options.removalsOf) removals(ctx, desired, options.removalsOf);
  return { changes: ctx.changes, ignored: ctx.ignored, patched, created: false };
}
