import { CHAIN_GENESIS, chainHash } from './chain';
import { signCheckpoint, type NoteSigner } from './checkpoint';
import { encodeEntry, type LedgerEntry, type LedgerEntryType } from './entry';
import type { EvidenceSource } from './evidence-bundle';
import { MerkleFrontier, leafHash, type SubtreeRef } from './merkle';

/**
 * An in-memory ledger with the same hashing and storage shape as the database one (entries'
 * bytes, leaf hashes, chain heads, every completed perfect subtree). For tests, benchmarks and
 * examples; it is the reference the database implementation can be compared with.
 */
export class MemoryLedger implements EvidenceSource {
  private readonly bytes: Buffer[] = [];
  private readonly leaves: Buffer[] = [];
  private readonly chains: Buffer[] = [];
  private readonly nodes = new Map<string, Buffer>();
  private readonly frontier = MerkleFrontier.empty();

  constructor(
    readonly signer: NoteSigner,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  append(type: LedgerEntryType, body: Record<string, unknown>): LedgerEntry {
    const entry: LedgerEntry = { v: 1, seq: this.size, type, recordedAt: this.now(), body: { commit: null, follows: [], ...body } };
    this.appendBytes(encodeEntry(entry));
    return entry;
  }

  /** Appends stored bytes as they are (tests use it to store what the real ledger never would). */
  appendBytes(bytes: Buffer): void {
    const leaf = leafHash(bytes);
    this.bytes.push(Buffer.from(bytes));
    this.leaves.push(leaf);
    this.chains.push(chainHash(this.chains.at(-1) ?? CHAIN_GENESIS, leaf));
    for (const s of this.frontier.append(leaf)) this.nodes.set(`${s.level}/${s.index}`, s.hash);
  }

  root(): Buffer {
    return this.frontier.root();
  }

  /** A signed checkpoint of the current size. */
  checkpoint(signer: NoteSigner = this.signer): string {
    return signCheckpoint({ origin: signer.name, size: this.size, root: this.root(), chain: this.chains.at(-1) ?? CHAIN_GENESIS }, signer);
  }

  async entryBytes(from: number, to: number): Promise<Buffer[]> {
    return this.bytes.slice(from, to + 1);
  }

  async leafHashes(from: number, to: number): Promise<Buffer[]> {
    return this.leaves.slice(from, to + 1);
  }

  async chainAt(seq: number): Promise<Buffer> {
    return seq < 0 ? CHAIN_GENESIS : this.chains[seq];
  }

  readonly subtrees = {
    read: async (refs: SubtreeRef[]): Promise<Buffer[]> =>
      refs.map((r) => {
        const h = this.nodes.get(`${r.level}/${r.index}`);
        if (!h) throw new Error(`no subtree ${r.level}/${r.index}`);
        return h;
      }),
  };
}
