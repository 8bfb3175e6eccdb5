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

interface CachedEdge {
  size: number;
  chain: Buffer;
  frontier: MerkleFrontier;
}

export const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/**
 * Appends to the ledger: under a transaction-scoped advisory lock, reads the head, assigns the next
 * seq numbers, encodes each entry as canonical JSON, hashes it into the Merkle tree and the chain,
 * and inserts the entries with the perfect subtrees they complete. The right edge of the tree is
 * cached between appends and re-read whenever the head is not the one this process left.
 */
export class LedgerStore {
  private edge: CachedEdge | undefined;
  private readonly repo = new LedgerRepository();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends drafts in order, atomically. Inside a caller's transaction (`manager`), the entries
   * commit or roll back with it; the lock is held until it ends.
   */
  async append(drafts: EntryDraft[], manager?: EntityManager): Promise<AppendedEntry[]> {
    if (drafts.length === 0) return [];
    if (manager) return this.appendIn(manager, drafts);
    return this.dataSource.transaction((m) => this.appendIn(m, drafts));
  }

  private async appendIn(m: EntityManager, drafts: EntryDraft[]): Promise<AppendedEntry[]> {
    await this.repo.lock(m);
    const head = await this.repo.head(m);
    const edge = await this.edgeAt(m, head.size, head.chainHash ?? CHAIN_GENESIS);
    const frontier = edge.frontier.clone();
    let chain = edge.chain;
    let lastTime = head.recordedAt ? Date.parse(head.recordedAt) : 0;
    const rows: StoredEntryRow[] = [];
    const nodes: StoredSubtree[] = [];
    const appended: AppendedEntry[] = [];
    for (const draft of drafts) {
      const seq = frontier.size;
      // recordedAt never goes backwards, whatever the clock does.
      lastTime = Math.max(lastTime, this.clock.now().getTime());
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
    await this.repo.insertEntries(m, rows);
    await this.repo.insertSubtrees(m, nodes);
    // Valid for the next append only if this transaction commits; the next append checks.
    this.edge = { size: frontier.size, chain, frontier };
    return appended;
  }

  /** The tree's right edge at the head just read under the lock. */
  private async edgeAt(m: EntityManager, size: number, chain: Buffer): Promise<CachedEdge> {
    const cached = this.edge;
    if (cached && cached.size === size && cached.chain.equals(chain)) return cached;
    const refs = frontierRefs(size);
    const hashes = await this.reader(m).read(refs);
    const edge = { size, chain, frontier: MerkleFrontier.fromSubtrees(size, hashes) };
    this.edge = edge;
    return edge;
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
