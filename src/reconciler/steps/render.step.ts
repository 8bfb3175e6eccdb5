import { readTreeFiles, type TreeFile } from '../../source/git-rev';
import { GitObjectReader } from '../../source/git-object-reader';
import { DomainException } from '../../common/domain.exception';
import type { AllowedCommit } from '../gate-reader';
import type { KubeAdapter } from '../kube/kube.adapter';
import { MANIFEST_EXTENSIONS, MAX_MANIFEST_FILE_BYTES, parseManifestFile, type ManifestDocument } from '../render/manifest-parser';
import { parseCache } from '../render/parse-cache';
import { renderDesired, type DesiredObject, type Scope } from '../render/render';
import { ReconcilerException } from '../reconciler.exception';
import type { Target } from '../target';

const MAX_FILES = 20_000;

function manifestFiles(files: TreeFile[]): TreeFile[] {
  const out: TreeFile[] = [];
  for (const f of files) {
    if (!MANIFEST_EXTENSIONS.test(f.path)) continue;
    if (f.skipped === 'symlink') throw new ReconcilerException('invalid-manifest', `${f.path}: is a symbolic link; manifests are read from the commit's own files only`);
    if (f.skipped === 'submodule') continue;
    if (f.skipped === 'too-large') throw new ReconcilerException('invalid-manifest', `${f.path}: is larger than the ${MAX_MANIFEST_FILE_BYTES}-byte limit per manifest file`);
    if (!f.content) throw new ReconcilerException('source-unreadable', `${f.path}: its blob is missing from the mirror`);
    out.push(f);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Reads the manifests of an allowed commit from its mirror and parses them (no cluster involved). */
export async function readManifests(allowed: AllowedCommit, target: Target): Promise<ManifestDocument[]> {
  const reader = new GitObjectReader(allowed.mirrorPath, { maxObjectBytes: MAX_MANIFEST_FILE_BYTES });
  let files: TreeFile[];
  try {
    files = await readTreeFiles(allowed.mirrorPath, allowed.sha, target.manifestPath, reader, { maxFiles: MAX_FILES });
  } catch (err) {
    if (err instanceof DomainException) throw new ReconcilerException('source-unreadable', `cannot read ${target.manifestPath || 'the tree'} at ${allowed.sha}: ${err.message}`, undefined, err.category === 'too-large' ? 'stalled' : 'transient');
    throw err;
  } finally {
    await reader.close();
  }
  return manifestFiles(files).flatMap((f) => {
    const cached = parseCache.get(f.sha, f.path);
    if (cached) return cached;
    const docs = parseManifestFile(f.path, f.content as Buffer);
    parseCache.set(f.sha, f.path, docs, (f.content as Buffer).length);
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
