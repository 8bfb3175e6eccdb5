import type { GitObjectReader, GitObjectResult } from '../source/git-object-reader';
import type { TreeEntryType } from './git-tree';
import { jsonSize, type InputLimits } from './input-limits';
import { parseManifest, type ParseResult } from './manifest-parse';
import { freezeEntry, type ManifestEntry } from './policy-input';

/** A file under the manifest path, as a tree lists it. */
export interface FileRef {
  path: string;
  type: TreeEntryType;
  id: string;
}

export interface ParsedFile {
  bytes: number;
  objectBytes: number;
  entries: ManifestEntry[];
  /** Why the file gives no objects (does not parse, too large, missing), or null. */
  problem: string | null;
}

const READ_CHUNK = 64;

type OkObject = Extract<GitObjectResult, { status: 'ok' }>;

/**
 * Manifest files read and parsed at most once per gate run (by blob id and path), a chunk of
 * blobs per round trip to git, within a budget of bytes for the whole run (maxRangeBytes) so a
 * range of hostile commits cannot make the gate read and hold without bound. Parsing yields to
 * the event loop between chunks, so signature checks running meanwhile keep the thread pool busy.
 * (Parsing in a worker thread was measured slower on two cores: bench/verify.bench.ts.)
 */
export class ManifestFiles {
  private readonly parsed = new Map<string, ParsedFile>();
  private rangeBytes = 0;

  constructor(
    private readonly blobs: GitObjectReader,
    private readonly limits: InputLimits,
  ) {}

  get(f: FileRef): ParsedFile | undefined {
    return this.parsed.get(key(f));
  }

  /** The run's budget (maxRangeBytes) is spent: files not read yet will not be. */
  exhausted = false;

  /**
   * Reads and parses the files not parsed yet, in order, until `stop(bytes so far)` says so or the
   * run's budget is spent. Returns the bytes of all the files (known ones included) it went through.
   */
  async read(files: readonly FileRef[], stop: (bytes: number) => boolean = () => false): Promise<number> {
    let total = 0;
    const unread = new Map<string, FileRef>();
    for (const f of files) {
      const known = this.parsed.get(key(f));
      if (known) total += known.bytes;
      else unread.set(key(f), f);
    }
    const pending = [...unread.values()];
    for (let at = 0; at < pending.length && !this.exhausted; at += READ_CHUNK) {
      if (stop(total)) break;
      const chunk = pending.slice(at, at + READ_CHUNK);
      const objects = await this.blobs.readMany(chunk.map((f) => f.id));
      for (let i = 0; i < chunk.length; i++) {
        const f = chunk[i];
        const object = objects[i];
        const size = object.status === 'ok' ? object.size : 0;
        if (this.rangeBytes + size > this.limits.maxRangeBytes) {
          this.exhausted = true; // this file and the ones after it stay unread
          break;
        }
        if (!this.unreadable(f, object)) this.parsed.set(key(f), this.accept(size, parseManifest({ path: f.path, data: (object as OkObject).data })));
        total += size;
        this.rangeBytes += size;
      }
      // more to parse: let the signature checks running meanwhile take their turn
      if (at + READ_CHUNK < pending.length) await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  /** Records why a blob cannot be parsed (missing, too large, not a blob); true when so. */
  private unreadable(f: FileRef, object: GitObjectResult): boolean {
    const problem =
      object.status === 'missing'
        ? `${f.path}: blob ${f.id} is missing from the repository`
        : object.status === 'too-large'
          ? `${f.path}: is ${object.size} bytes, more than the ${this.limits.maxFileBytes}-byte limit per manifest file (limit maxFileBytes)`
          : object.type !== 'blob'
            ? `${f.path}: object ${f.id} is a ${object.type}, not a file`
            : null;
    if (problem) this.parsed.set(key(f), { bytes: 0, objectBytes: 0, entries: [], problem });
    return problem !== null;
  }

  private accept(bytes: number, result: ParseResult): ParsedFile {
    if (result.problem !== null) return { bytes, objectBytes: 0, entries: [], problem: result.problem };
    const entries = result.entries.map(freezeEntry);
    let objectBytes = 0;
    for (const e of entries) objectBytes += jsonSize(e.object, this.limits.maxObjectBytes - objectBytes + 1);
    return { bytes, objectBytes, entries, problem: null };
  }
}

function key(f: FileRef): string {
  return `${f.id}\0${f.path}`;
}
