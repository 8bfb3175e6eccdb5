import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import { CHAIN_GENESIS, chainHash } from './chain';
import { encodeEntry, type LedgerEntry, type LedgerEntryType } from './entry';
import { LedgerException } from './ledger.exception';
import { LedgerRepository, type StoredEntryRow, type StoredSubtree } from './ledger.repository';
import { frontierRefs, leafHash, MerkleFrontier, type SubtreeReader, type SubtreeRef } from './merkle';

/** What a caller asks to record; seq, time and hashes are the store's to assign. */
export interface EntryDraft {
  type: LedgerEntryType;
  /** The full sha of the commit the entry concerns, if any. */
  commit?: string | null;
  /** Seq numbers of the entries this one follows from. */
  follows?: number[];
  body: Record<string, unknown>;
}

export interface AppendedEntry {
  entry: LedgerEntry;
  bytes: Buffer;
  leafHash: Buffer;
  chainHash: Buffer;
}

/** The right edge of the log: what the next append builds on. */
interface Edge {
  size: number;
  chain: Buffer;
  lastTime: number;
  frontier: MerkleFrontier;
}

interface Prepared {
  rows: StoredEntryRow[];
  nodes: StoredSubtree[];
  appended: AppendedEntry[];
  edge: Edge;
}

export const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/** SQLSTATEs of an insert that does not link to the head: the cached edge was stale. */
const STALE_HEAD = new Set(['23505', '23514']);

/**
 * Appends to the ledger. Each append takes a transaction-scoped advisory lock, assigns the next seq
 * numbers, encodes each entry as canonical JSON and hashes it into the Merkle tree and the chain,
 * and inserts the entries with the perfect subtrees they complete.
 *
 * Fast path: with the head this process left cached, the lock and the inserts go to the server as
 * one statement batch (one round trip, one implicit transaction). If another writer appended in
 * between, the database refuses the batch (the primary key and the link trigger), nothing is
 * stored, and the append runs again on the slow path, which reads the head under the lock.
 */
export class LedgerStore {
  private edge: Edge | undefined;
  private readonly repo = new LedgerRepository();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends drafts in order, atomically. Inside a caller's transaction (`manager`), the entries
   * commit or roll back with it and the lock is held until it ends.
   */
  async append(drafts: EntryDraft[], manager?: EntityManager): Promise<AppendedEntry[]> {
    if (drafts.length === 0) return [];
    if (manager) return this.appendLocked(manager, drafts);
    const edge = this.edge;
    const prepared = edge ? this.tryPrepare(edge, drafts) : undefined;
    if (prepared) {
      try {
        await this.dataSource.query(this.repo.appendBatchSql(prepared.rows, prepared.nodes));
        this.edge = prepared.edge;
        return prepared.appended;
      } catch (err) {
        if (!STALE_HEAD.has((err as { code?: string }).code ?? '')) throw err;
        this.edge = undefined;
      }
    }
    return this.dataSource.transaction((m) => this.appendLocked(m, drafts));
  }

  /**
   * The drafts prepared on the cached edge, or undefined when they cannot be: a draft may follow
   * entries another writer appended after this process last looked, which only the head read
   * under the lock can tell. The slow path then decides (and reports a draft that is really wrong).
   */
  private tryPrepare(edge: Edge, drafts: EntryDraft[]): Prepared | undefined {
    try {
      return this.prepare(edge, drafts);
    } catch {
      this.edge = undefined;
      return undefined;
    }
  }

  private async appendLocked(m: EntityManager, drafts: EntryDraft[]): Promise<AppendedEntry[]> {
    await this.repo.lock(m);
    const head = await this.repo.head(m);
    const edge = await this.edgeAt(m, head.size, head.chainHash ?? CHAIN_GENESIS, head.recordedAt ? Date.parse(head.recordedAt) : 0);
    const prepared = this.prepare(edge, drafts);
    await this.repo.insertEntries(m, prepared.rows);
    await this.repo.insertSubtrees(m, prepared.nodes);
    // Valid for the next append only if this transaction commits; the next append checks.
    this.edge = prepared.edge;
    return prepared.appended;
  }

  /** Encodes and hashes the drafts on top of `edge`, without touching it. */
  private prepare(edge: Edge, drafts: EntryDraft[]): Prepared {
    const frontier = edge.frontier.clone();
    let chain = edge.chain;
    let lastTime = edge.lastTime;
    const rows: StoredEntryRow[] = [];
    const nodes: StoredSubtree[] = [];
    const appended: AppendedEntry[] = [];
    for (const draft of drafts) {
      const seq = frontier.size;
      lastTime = Math.max(lastTime, this.clock.now().getTime()); // recordedAt never goes backwards
      const entry: LedgerEntry = {
        v: 1,
        seq,
        type: draft.type,
        recordedAt: new Date(lastTime).toISOString(),
        body: { ...draft.body, commit: draft.commit ?? null, follows: [...(draft.follows ?? [])].sort((a, b) => a - b) },
      };
      const bytes = encodeEntry(entry);
      if (bytes.length > MAX_ENTRY_BYTES) {
        throw new LedgerException('invalid-entry', `a ${draft.type} entry of ${bytes.length} bytes is over the ${MAX_ENTRY_BYTES}-byte limit`);
      }
      const leaf = leafHash(bytes);
      chain = chainHash(chain, leaf);
      for (const n of frontier.append(leaf)) if (n.level > 0) nodes.push(n);
      rows.push({ seq, type: entry.type, recordedAt: entry.recordedAt, commitSha: entry.body.commit as string | null, bytes, leafHash: leaf, chainHash: chain });
      appended.push({ entry, bytes, leafHash: leaf, chainHash: chain });
    }
    return { rows, nodes, appended, edge: { size: frontier.size, chain, lastTime, frontier } };
  }

  /** The right edge at the head just read under the lock. */
  private async edgeAt(m: EntityManager, size: number, chain: Buffer, lastTime: number): Promise<Edge> {
    const cached = this.edge;
    if (cached && cached.size === size && cached.chain.equals(chain)) return cached;
    const hashes = await this.reader(m).read(frontierRefs(size));
    return { size, chain, lastTime, frontier: MerkleFrontier.fromSubtrees(size, hashes) };
  }

  /** Reads perfect subtrees through `m`; a missing one means the store is broken, never a guess. */
  reader(m: EntityManager): SubtreeReader {
    return {
      read: async (refs: SubtreeRef[]) => {
        const found = await this.repo.readSubtrees(m, refs);
        return found.map((hash, i) => {
          if (!hash) {
            throw new LedgerException('inconsistent-source', `the ledger has no subtree (${refs[i].level}, ${refs[i].index}) that its size implies`);
          }
          return hash;
        });
      },
    };
  }

  get repository(): LedgerRepository {
    return this.repo;
  }
}
