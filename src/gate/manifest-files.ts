import type { GitObjectReader, GitObjectResult } from '../source/git-object-reader';
import type { TreeEntryType } from './git-tree';
import { jsonSize, type InputLimits } from './input-limits';
import type { ManifestParsePool, PooledResult } from './manifest-parse-pool';
import { freezeEntry, rememberEntryBytes, type ManifestEntry } from './policy-input';

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

/** A file read: its size is known at once (the budgets count it), its objects when parsed. */
interface ReadFile {
  bytes: number;
  parsed: Promise<ParsedFile>;
}

/**
 * Values by file (blob id and path), looked up without building a key string per lookup: a run
 * looks files up some hundred thousand times.
 */
export class FileTable<T> {
  private readonly byId = new Map<string, Map<string, T>>();

  get(f: FileRef): T | undefined {
    return this.byId.get(f.id)?.get(f.path);
  }

  has(f: FileRef): boolean {
    return this.byId.get(f.id)?.has(f.path) ?? false;
  }

  set(f: FileRef, value: T): void {
    let paths = this.byId.get(f.id);
    if (!paths) this.byId.set(f.id, (paths = new Map()));
    paths.set(f.path, value);
  }

  delete(f: FileRef): void {
    this.byId.get(f.id)?.delete(f.path);
  }
}

/** A reservation: the read that holds it reads the file or gives it up, then settles it. */
interface Reservation {
  settled: Promise<void>;
  settle(): void;
}

/**
 * Manifest files read and parsed at most once per gate run (by blob id and path), a chunk of
 * blobs per round trip to git, within a budget of bytes for the whole run (maxRangeBytes) so a
 * range of hostile commits cannot make the gate read and hold without bound. The budgets count
 * bytes as they are read, in reading order, whoever parses: the parse pool parses in this thread
 * (yielding to the event loop between chunks, so signature checks running meanwhile get their
 * turn) or, for many files, in a worker thread while this thread goes on.
 *
 * A read reserves the files it is about to read; another read of the same files waits for them
 * instead of reading them twice, so the gate can decide the first commits while the files of the
 * later ones are still being read ahead.
 */
export class ManifestFiles {
  private readonly files = new FileTable<ReadFile>();
  private readonly reserved = new FileTable<Reservation>();
  private rangeBytes = 0;

  constructor(
    private readonly blobs: GitObjectReader,
    private readonly limits: InputLimits,
    private readonly parser: ManifestParsePool,
  ) {}

  /** The file's objects once parsed; undefined when it was not read (a byte budget was spent). */
  get(f: FileRef): Promise<ParsedFile> | undefined {
    return this.files.get(f)?.parsed;
  }

  has(f: FileRef): boolean {
    return this.files.has(f);
  }

  /** Read, or being read by a read in progress. */
  covers(f: FileRef): boolean {
    return this.files.has(f) || this.reserved.has(f);
  }

  /** The run's budget (maxRangeBytes) is spent: files not read yet will not be. */
  exhausted = false;

  /**
   * Reads and parses the files not parsed yet, in order, until `stop(bytes so far)` says so or the
   * run's budget is spent. Returns the bytes of all the files (known ones included) it went through.
   * Files another read is reading are waited for, not read again.
   */
  async read(files: readonly FileRef[], stop: (bytes: number) => boolean = () => false): Promise<number> {
    const mine: FileRef[] = [];
    const minePaths = new FileTable<true>();
    const others: Array<Promise<void>> = [];
    for (const f of files) {
      if (this.files.has(f) || minePaths.has(f)) continue;
      const held = this.reserved.get(f);
      if (held) {
        others.push(held.settled);
        continue;
      }
      this.reserve(f);
      mine.push(f);
      minePaths.set(f, true);
    }
    try {
      if (others.length > 0) await Promise.all(others);
      return await this.readUnread(files, stop);
    } finally {
      this.settle(mine); // what this read gave up (budget, stop, failure) is free for others to try
    }
  }

  private async readUnread(files: readonly FileRef[], stop: (bytes: number) => boolean): Promise<number> {
    let total = 0;
    const unread = new FileTable<true>();
    const pending: FileRef[] = [];
    for (const f of files) {
      const known = this.files.get(f);
      if (known) total += known.bytes;
      else if (!unread.has(f)) {
        unread.set(f, true);
        pending.push(f);
      }
    }
    this.parser.expect(pending.length);
    for (let at = 0; at < pending.length && !this.exhausted; at += READ_CHUNK) {
      if (stop(total)) break;
      const chunk = pending.slice(at, at + READ_CHUNK);
      const objects = await this.blobs.readMany(chunk.map((f) => f.id));
      const toParse: Array<{ f: FileRef; size: number; data: Buffer }> = [];
      for (let i = 0; i < chunk.length; i++) {
        const f = chunk[i];
        const object = objects[i];
        const size = object.status === 'ok' ? object.size : 0;
        if (this.rangeBytes + size > this.limits.maxRangeBytes) {
          this.exhausted = true; // this file and the ones after it stay unread
          break;
        }
        if (!this.unreadable(f, object)) toParse.push({ f, size, data: (object as OkObject).data });
        total += size;
        this.rangeBytes += size;
      }
      const results = this.parser.parseMany(toParse.map((p) => ({ path: p.f.path, data: p.data })));
      toParse.forEach((p, k) => this.files.set(p.f, { bytes: p.size, parsed: results.then((r) => this.accept(p.size, r[k])) }));
      this.settle(chunk);
      // parsed here: let the signature checks running meanwhile take their turn
      if (!this.parser.inWorker && at + READ_CHUNK < pending.length) await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  private reserve(f: FileRef): void {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.reserved.set(f, { settled, settle });
  }

  /** Lets the reads waiting for these files go on as soon as they are read (not at the end of the whole read). */
  private settle(files: readonly FileRef[]): void {
    for (const f of files) {
      const held = this.reserved.get(f);
      if (!held) continue;
      this.reserved.delete(f);
      held.settle();
    }
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
    if (problem) this.files.set(f, { bytes: 0, parsed: Promise.resolve({ bytes: 0, objectBytes: 0, entries: [], problem }) });
    return problem !== null;
  }

  private accept(bytes: number, result: PooledResult): ParsedFile {
    if (result.problem !== null) return { bytes, objectBytes: 0, entries: [], problem: result.problem };
    const entries = result.entries.map(freezeEntry);
    entries.forEach((e, i) => {
      const canonical = result.canonical?.[i];
      if (canonical) rememberEntryBytes(e, canonical);
    });
    let objectBytes = 0;
    for (const e of entries) objectBytes += jsonSize(e.object, this.limits.maxObjectBytes - objectBytes + 1);
    return { bytes, objectBytes, entries, problem: null };
  }
}
