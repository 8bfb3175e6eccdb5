import { createHash } from 'node:crypto';
import { canonicalJson } from '../diff/canonical';
import { diffObject } from '../diff/diff';
import type { IgnoreMatcher } from '../diff/ignore';
import { managedEntries } from '../diff/managed-fields';
import type { JsonValue, KubeObject } from '../kube/kube-object';
import { FIELD_MANAGER } from '../kube/kube.adapter';
import type { DesiredObject } from '../render/render';

/** One field changed in the cluster: what gitseal applied (before), what is live (after), and who changed it. */
export interface DriftChange {
  path: string;
  before?: JsonValue;
  after?: JsonValue;
  /** The manager that owns the field now (from managedFields), or null when nobody does (a removed field). */
  manager: string | null;
  /** When no manager owns the field, the one that wrote the object most recently (a likely suspect). */
  lastWriter?: string;
}

export interface DriftFinding {
  id: string;
  desired: DesiredObject;
  deleted: boolean;
  changes: DriftChange[];
  ignored: number;
  /** Same drift, same fingerprint: recorded once. */
  fingerprint: string;
}

/** The manager (other than gitseal) of the newest main-resource write, by managedFields time. */
export function lastWriter(live: KubeObject): string | undefined {
  const others = managedEntries(live).filter((e) => e.manager !== FIELD_MANAGER && !e.subresource);
  others.sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''));
  return others[0]?.manager;
}

/**
 * Pure: whether the live object still has what gitseal applied (the fields of the synced commit's
 * desired object, ignoreDifferences aside). A deleted object is drift too.
 */
export function detectDrift(desired: DesiredObject, live: KubeObject | undefined, ignore: IgnoreMatcher): DriftFinding | undefined {
  if (!live) {
    return { id: desired.id, desired, deleted: true, changes: [], ignored: 0, fingerprint: createHash('sha256').update(`deleted:${desired.id}`).digest('hex') };
  }
  const diff = diffObject(desired.object, live, { ignore });
  if (diff.changes.length === 0) return undefined;
  const suspect = lastWriter(live);
  const changes = diff.changes.map((c): DriftChange => {
    const manager = (c.owners ?? []).find((m) => m !== FIELD_MANAGER) ?? null;
    return {
      path: c.path,
      ...(c.desired !== undefined ? { before: c.desired } : {}),
      ...(c.live !== undefined ? { after: c.live } : {}),
      manager,
      ...(manager === null && suspect ? { lastWriter: suspect } : {}),
    };
  });
  const fingerprint = createHash('sha256').update(canonicalJson({ id: desired.id, changes: changes.map((c) => [c.path, c.before ?? null, c.after ?? null]) })).digest('hex');
  return { id: desired.id, desired, deleted: false, changes, ignored: diff.ignored.length, fingerprint };
}
