import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import { CHAIN_GENESIS } from './chain';
import { openCheckpoint, signCheckpoint, type NoteSigner } from './checkpoint';
import { decodeEntry } from './entry';
import { LedgerException } from './ledger.exception';
import type { LedgerStore } from './ledger-store';
import type { StoredCheckpoint } from './ledger.repository';
import { consistencyProof, rootAt, verifyConsistency } from './merkle';

export interface SignResult {
  checkpoint: StoredCheckpoint;
  /** false when the newest checkpoint already covered the whole log. */
  created: boolean;
}

/**
 * Signs checkpoints (signed tree heads). Before signing size n it proves to itself that the tree it
 * is about to sign extends the newest earlier checkpoint: the stored tree must still produce that
 * checkpoint's root and chain head, and a consistency proof between the two must verify. If not,
 * the store was tampered with and it refuses to sign, so two inconsistent checkpoints never exist.
 * Each new checkpoint is also recorded as a `checkpoint.signed` entry.
 */
export class CheckpointSigner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly signer: NoteSigner,
    private readonly verifierKey: string,
    private readonly clock: Clock,
  ) {}

  get origin(): string {
    return this.signer.name;
  }

  async latest(): Promise<StoredCheckpoint | undefined> {
    return this.store.repository.latestCheckpoint(this.dataSource.manager);
  }

  /**
   * Signs the current head. `onlyIfChanged`: skip when nothing but the previous checkpoint's own
   * `checkpoint.signed` entry was appended since it (the schedule uses this).
   */
  async sign(options: { onlyIfChanged?: boolean } = {}): Promise<SignResult> {
    return this.dataSource.transaction(async (m) => {
      const repo = this.store.repository;
      await repo.lock(m);
      const head = await repo.head(m);
      const latest = await repo.latestCheckpoint(m);
      if (latest && latest.size === head.size) return { checkpoint: latest, created: false };
      if (latest && options.onlyIfChanged && head.size === latest.size + 1 && (await this.isCheckpointEntry(m, latest.size))) {
        return { checkpoint: latest, created: false };
      }
      const reader = this.store.reader(m);
      const root = await rootAt(head.size, reader);
      const chain = head.chainHash ?? CHAIN_GENESIS;
      if (latest) await this.assertExtends(m, latest, head.size, root);
      const note = signCheckpoint({ origin: this.signer.name, size: head.size, root, chain }, this.signer);
      const checkpoint: StoredCheckpoint = { size: head.size, root, chainHead: chain, note, signedAt: this.clock.now().toISOString() };
      await repo.insertCheckpoint(m, checkpoint);
      await this.store.append(
        [{ type: 'checkpoint.signed', body: { size: head.size, root: root.toString('base64'), note } }],
        m,
      );
      return { checkpoint, created: true };
    });
  }

  private async isCheckpointEntry(m: EntityManager, seq: number): Promise<boolean> {
    const [row] = await this.store.repository.entries(m, seq, seq);
    return row !== undefined && decodeEntry(row.bytes).type === 'checkpoint.signed';
  }

  private async assertExtends(m: EntityManager, earlier: StoredCheckpoint, size: number, root: Buffer): Promise<void> {
    const reader = this.store.reader(m);
    const signed = openCheckpoint(earlier.note, this.verifierKey);
    const storedRoot = await rootAt(earlier.size, reader);
    const storedChain = earlier.size === 0 ? CHAIN_GENESIS : await this.store.repository.chainAt(m, earlier.size - 1);
    const proof = await consistencyProof(earlier.size, size, reader);
    const problems: string[] = [];
    if (signed.size !== earlier.size || !signed.root.equals(earlier.root)) problems.push('its stored row differs from its signed note');
    if (!storedRoot.equals(signed.root)) problems.push('the stored tree no longer produces its root');
    if (!storedChain || !storedChain.equals(signed.chain)) problems.push('the stored chain no longer produces its chain head');
    if (!verifyConsistency(earlier.size, size, signed.root, root, proof)) problems.push(`no consistency proof from ${earlier.size} to ${size}`);
    if (problems.length > 0) {
      throw new LedgerException(
        'inconsistent-source',
        `refusing to sign a checkpoint at size ${size}: the checkpoint at size ${earlier.size} does not hold (${problems.join('; ')}); the ledger store may have been tampered with`,
      );
    }
  }
}
