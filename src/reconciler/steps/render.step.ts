import { DomainException } from '../../common/domain.exception';
import { GitObjectReader } from '../../source/git-object-reader';
import { runGit } from '../../source/git-rev';
import type { AllowedCommit } from '../gate-reader';
import type { KubeAdapter } from '../kube/kube.adapter';
import { MAX_MANIFEST_FILE_BYTES, parseManifestFile, type ManifestDocument } from '../render/manifest-parser';
import { manifestBlobs, type ManifestBlob } from '../render/manifest-tree';
import { parseCache } from '../render/parse-cache';
import { renderDesired, type DesiredObject, type Scope } from '../render/render';
import { ReconcilerException } from '../reconciler.exception';
import type { Target } from '../target';

function unreadable(err: unknown, what: string): never {
  if (err instanceof DomainException) throw new ReconcilerException('source-unreadable', `cannot read ${what}: ${err.message}`, undefined, err.category === 'too-large' ? 'stalled' : 'transient');
  throw err;
}

async function listManifests(allowed: AllowedCommit, target: Target): Promise<ManifestBlob[]> {
  try {
    const { stdout } = await runGit(allowed.mirrorPath, ['ls-tree', '-r', '-z', '-l', '--full-tree', allowed.sha]);
    return manifestBlobs(stdout, target.manifestPath);
  } catch (err) {
    if (err instanceof ReconcilerException) throw err;
    return unreadable(err, `the tree of ${allowed.sha}`);
  }
}

/** Reads only the manifests not parsed before (by blob), through one git cat-file process. */
async function readBlobs(mirrorPath: string, blobs: ManifestBlob[]): Promise<Map<string, Buffer>> {
  const contents = new Map<string, Buffer>();
  if (blobs.length === 0) return contents;
  const reader = new GitObjectReader(mirrorPath, { maxObjectBytes: MAX_MANIFEST_FILE_BYTES });
  try {
    const objects = await reader.readMany([...new Set(blobs.map((b) => b.sha))]);
    for (const o of objects) {
      if (o.status !== 'ok') throw new ReconcilerException('source-unreadable', `blob ${o.sha} is ${o.status === 'missing' ? 'missing from the mirror' : 'too large'}`);
      contents.set(o.sha, o.data);
    }
  } catch (err) {
    if (err instanceof ReconcilerException) throw err;
    unreadable(err, 'the manifest files');
  } finally {
    await reader.close();
  }
  return contents;
}

/** Reads and parses the manifests of an allowed commit from its mirror (no cluster involved). */
export async function readManifests(allowed: AllowedCommit, target: Target): Promise<ManifestDocument[]> {
  const blobs = await listManifests(allowed, target);
  const contents = await readBlobs(allowed.mirrorPath, blobs.filter((b) => !parseCache.get(b.sha, b.path)));
  return blobs.flatMap((b) => {
    const cached = parseCache.get(b.sha, b.path);
    if (cached) return cached;
    const data = contents.get(b.sha) as Buffer;
    const docs = parseManifestFile(b.path, data);
    parseCache.set(b.sha, b.path, docs, data.length);
    return docs;
  });
}

/** Desired objects of an allowed commit, scoped through the cluster's discovery. */
export async function renderCommit(allowed: AllowedCommit, target: Target, kube: KubeAdapter): Promise<DesiredObject[]> {
  const docs = await readManifests(allowed, target);
  const scopes = new Map<string, Scope | undefined>();
  for (const { object } of docs) {
    const k = `${object.apiVersion}|${object.kind}`;
    if (scopes.has(k)) continue;
    const info = await kube.discovery.lookup(object.apiVersion, object.kind);
    scopes.set(k, info ? (info.namespaced ? 'namespaced' : 'cluster') : undefined);
  }
  return renderDesired(docs, target, (apiVersion, kind) => scopes.get(`${apiVersion}|${kind}`), allowed.sha);
}
