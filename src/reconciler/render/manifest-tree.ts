import { isObjectId } from '../../source/git-rev';
import { ReconcilerException } from '../reconciler.exception';
import { MANIFEST_EXTENSIONS, MAX_MANIFEST_FILE_BYTES } from './manifest-parser';

/** One manifest file of a commit's tree, before its content is read. */
export interface ManifestBlob {
  path: string;
  sha: string;
  size: number;
}

export const MAX_MANIFEST_FILES = 20_000;
export const MAX_MANIFEST_TOTAL_BYTES = 64 * 1024 * 1024;

function refuse(message: string): never {
  throw new ReconcilerException('invalid-manifest', message);
}

/**
 * The manifest files under `prefix` from `git ls-tree -r -z -l` output (`<mode> <type> <id> <size>\t<path>\0`),
 * checked before any content is read: symbolic links named like manifests are refused (never
 * followed), files over the per-file limit, more files or more bytes than the limits too.
 * Other files (READMEs, images) are not read at all. Pure.
 */
export function manifestBlobs(output: Buffer, prefix: string): ManifestBlob[] {
  const out: ManifestBlob[] = [];
  let total = 0;
  for (const record of output.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha, size] = record.slice(0, tab).split(/ +/);
    const path = record.slice(tab + 1);
    if (tab < 0 || !mode || !type || !sha || !isObjectId(sha) || size === undefined) throw new ReconcilerException('source-unreadable', `unexpected output from git ls-tree: ${JSON.stringify(record.slice(0, 80))}`);
    if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) continue;
    if (!MANIFEST_EXTENSIONS.test(path) || type !== 'blob') continue;
    if (mode === '120000') refuse(`${path}: is a symbolic link; manifests are read from the commit's own files only`);
    const bytes = Number(size);
    if (bytes > MAX_MANIFEST_FILE_BYTES) refuse(`${path}: is ${bytes} bytes, more than the ${MAX_MANIFEST_FILE_BYTES}-byte limit per manifest file`);
    total += bytes;
    if (total > MAX_MANIFEST_TOTAL_BYTES) refuse(`the manifest files under ${prefix || 'the root'} hold more than ${MAX_MANIFEST_TOTAL_BYTES} bytes together`);
    out.push({ path, sha, size: bytes });
    if (out.length > MAX_MANIFEST_FILES) refuse(`more than ${MAX_MANIFEST_FILES} manifest files under ${prefix || 'the root'}`);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
