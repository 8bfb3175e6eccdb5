import { isApiCode } from '../kube/kube-errors';
import type { KubeAdapter } from '../kube/kube.adapter';
import { keyOf, keyString, type KubeObject } from '../kube/kube-object';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../render/render';

export interface KindRef {
  apiVersion: string;
  kind: string;
}

/**
 * The live objects of the given kinds that carry gitseal's label (any target's: an object another
 * target manages must be seen, to refuse taking it over), keyed by `group/kind/namespace/name`.
 * A kind the server does not serve yet (its CRD is in this sync) has no live objects.
 */
export async function readLive(kube: KubeAdapter, kinds: readonly KindRef[]): Promise<Map<string, KubeObject>> {
  const live = new Map<string, KubeObject>();
  const seen = new Set<string>();
  for (const { apiVersion, kind } of kinds) {
    const k = `${apiVersion}|${kind}`;
    if (seen.has(k)) continue;
    seen.add(k);
    try {
      const { items } = await kube.list(apiVersion, kind, `${MANAGED_BY_LABEL}=${MANAGED_BY}`);
      for (const obj of items) live.set(keyString(keyOf(obj)), obj);
    } catch (err) {
      if (!isApiCode(err, 'unknown-kind')) throw err;
    }
  }
  return live;
}
