import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';
import { openCheckpoint } from './checkpoint';
import { CheckpointSigner } from './checkpoint-signer';
import { decodeEntry, type LedgerEntry } from './entry';
import { LedgerException } from './ledger.exception';
import { LedgerStore, type AppendedEntry, type EntryDraft } from './ledger-store';
import type { StoredCheckpoint } from './ledger.repository';
import { consistencyProof, inclusionProof, rootAt } from './merkle';
import { buildEvidenceBundle, type EvidenceBundle, type EvidenceSource } from './evidence-bundle';
import { CHAIN_GENESIS } from './chain';
import type { LoadedSigningKey } from './signing-key';

export const SIGNING_KEY = Symbol('SIGNING_KEY');

/** Largest range one export may hold (the bundle is built in memory and sent in one response). */
export const MAX_EXPORT_ENTRIES = 200_000;

export interface EntryView {
  seq: number;
  type: string;
  recordedAt: string;
  commit: string | null;
  entry: LedgerEntry;
  /** The exact stored bytes, base64: what the leaf hash covers. */
  bytes: string;
  leafHash: string;
}

export interface CheckpointView {
  origin: string;
  size: number;
  root: string;
  chainHead: string;
  signedAt: string;
  /** The C2SP signed note, verifiable with the verifier key alone. */
  note: string;
  verifierKey: string;
}

export const MAX_PAGE = 1000;

/** The ledger as the rest of gitseal and the API see it: append, read, prove. */
@Injectable()
export class LedgerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly checkpoints: CheckpointSigner,
    private readonly metrics: MetricsService,
    @Inject(SIGNING_KEY) private readonly key: LoadedSigningKey,
  ) {}

  get verifierKey(): string {
    return this.key.verifierKey;
  }

  /** Records entries atomically (inside the caller's transaction when `manager` is given). */
  async append(drafts: EntryDraft[], manager?: EntityManager): Promise<AppendedEntry[]> {
    const appended = await this.store.append(drafts, manager);
    for (const a of appended) this.metrics.ledgerAppends.inc({ type: a.entry.type });
    const last = appended[appended.length - 1];
    if (last) this.metrics.ledgerSize.set(last.entry.seq + 1);
    return appended;
  }

  async size(): Promise<number> {
    return (await this.store.repository.head(this.dataSource.manager)).size;
  }

  /**
   * Entries from `from` on, at most `limit`; optionally only one type and/or only about one commit.
   * `next` is the seq to ask for the following page (null at the end).
   */
  async entries(from: number, limit: number, filter: { type?: string; commit?: string } = {}): Promise<{ size: number; entries: EntryView[]; next: number | null }> {
    const size = await this.size();
    const count = Math.min(Math.max(limit, 1), MAX_PAGE);
    if (from >= size) return { size, entries: [], next: null };
    const m = this.dataSource.manager;
    const filtered = filter.type !== undefined || filter.commit !== undefined;
    const rows = filtered ? await this.store.repository.find(m, from, count, filter) : await this.store.repository.entries(m, from, Math.min(from + count, size) - 1);
    const last = rows[rows.length - 1];
    const next = last && last.seq + 1 < size && (filtered ? rows.length === count : true) ? last.seq + 1 : null;
    return {
      size,
      next,
      entries: rows.map((r) => ({
        seq: r.seq,
        type: r.type,
        recordedAt: r.recordedAt,
        commit: r.commitSha,
        entry: decodeEntry(r.bytes),
        bytes: r.bytes.toString('base64'),
        leafHash: r.leafHash.toString('base64'),
      })),
    };
  }

  async latestCheckpoint(): Promise<CheckpointView | undefined> {
    const cp = await this.checkpoints.latest();
    return cp ? this.view(cp) : undefined;
  }

  async signCheckpoint(onlyIfChanged = false): Promise<{ checkpoint: CheckpointView; created: boolean }> {
    const { checkpoint, created } = await this.checkpoints.sign({ onlyIfChanged });
    this.metrics.checkpointSize.set(checkpoint.size);
    this.metrics.checkpointTimestamp.set(Date.parse(checkpoint.signedAt) / 1000);
    return { checkpoint: this.view(checkpoint), created };
  }

  /** Inclusion of entry `seq` in the tree of `size` entries (default: the newest checkpoint's size). */
  async inclusion(seq: number, size?: number) {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const treeSize = size ?? (await this.store.repository.latestCheckpoint(m))?.size;
      if (treeSize === undefined) throw new LedgerException('invalid-tree-request', 'no checkpoint yet: give a size, or sign a checkpoint first');
      await this.assertSize(m, treeSize);
      if (seq >= treeSize) throw new LedgerException('invalid-tree-request', `entry ${seq} is not in a tree of ${treeSize} entries`);
      const reader = this.store.reader(m);
      const [leaf] = await reader.read([{ level: 0, index: seq }]);
      const proof = await inclusionProof(seq, treeSize, reader);
      const root = await rootAt(treeSize, reader);
      const checkpoint = await this.store.repository.checkpointAt(m, treeSize);
      return {
        seq,
        size: treeSize,
        leafHash: leaf.toString('base64'),
        root: root.toString('base64'),
        proof: proof.map((h) => h.toString('base64')),
        checkpoint: checkpoint ? checkpoint.note : null,
      };
    });
  }

  /** Consistency of the tree of `from` entries with the tree of `to` entries (default: newest checkpoint). */
  async consistency(from: number, to?: number) {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const toSize = to ?? (await this.store.repository.latestCheckpoint(m))?.size;
      if (toSize === undefined) throw new LedgerException('invalid-tree-request', 'no checkpoint yet: give a size, or sign a checkpoint first');
      await this.assertSize(m, toSize);
      if (from > toSize) throw new LedgerException('invalid-tree-request', `size ${from} is larger than ${toSize}`);
      const reader = this.store.reader(m);
      const proof = await consistencyProof(from, toSize, reader);
      const [fromCp, toCp] = await Promise.all([this.store.repository.checkpointAt(m, from), this.store.repository.checkpointAt(m, toSize)]);
      return {
        from,
        to: toSize,
        fromRoot: (await rootAt(from, reader)).toString('base64'),
        toRoot: (await rootAt(toSize, reader)).toString('base64'),
        proof: proof.map((h) => h.toString('base64')),
        fromCheckpoint: fromCp ? fromCp.note : null,
        toCheckpoint: toCp ? toCp.note : null,
      };
    });
  }

  /**
   * An evidence bundle of entries from..to, anchored at the smallest checkpoint that covers them
   * (signed now if none does) and proven consistent with the newest one. Recorded as a
   * `report.exported` entry naming who exported what.
   */
  async exportBundle(from: number, to: number, actor: string): Promise<EvidenceBundle> {
    if (to < from) throw new LedgerException('invalid-tree-request', `the range ${from}..${to} is empty`);
    if (to - from + 1 > MAX_EXPORT_ENTRIES) {
      throw new LedgerException('invalid-tree-request', `at most ${MAX_EXPORT_ENTRIES} entries per export; split ${from}..${to} into smaller ranges`);
    }
    const size = await this.size();
    if (to >= size) throw new LedgerException('invalid-tree-request', `the ledger has ${size} entries; entry ${to} does not exist`);
    let covering = await this.store.repository.checkpointCovering(this.dataSource.manager, to + 1);
    if (!covering) covering = (await this.checkpoints.sign()).checkpoint;
    const bundle = await this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const repo = this.store.repository;
      const anchor = await repo.checkpointCovering(m, to + 1);
      const latest = await repo.latestCheckpoint(m);
      if (!anchor || !latest) throw new LedgerException('inconsistent-source', 'the covering checkpoint disappeared');
      const source: EvidenceSource = {
        entryBytes: async (a, b) => (await repo.entries(m, a, b)).map((r) => r.bytes),
        leafHashes: (a, b) => repo.leafHashes(m, a, b),
        chainAt: async (seq) => (seq < 0 ? CHAIN_GENESIS : ((await repo.chainAt(m, seq)) ?? CHAIN_GENESIS)),
        subtrees: this.store.reader(m),
      };
      return buildEvidenceBundle(source, {
        from,
        to,
        anchor: anchor.note,
        latest: latest.size > anchor.size ? latest.note : undefined,
        signer: this.key.signer,
      });
    });
    await this.append([{ type: 'report.exported', body: { kind: 'evidence-bundle', from, to, anchorSize: covering.size, actor } }]);
    return bundle;
  }

  private async assertSize(m: EntityManager, size: number): Promise<void> {
    const head = await this.store.repository.head(m);
    if (size > head.size) throw new LedgerException('invalid-tree-request', `the ledger has ${head.size} entries, not ${size}`);
  }

  private view(cp: StoredCheckpoint): CheckpointView {
    const opened = openCheckpoint(cp.note, this.verifierKey);
    return {
      origin: opened.origin,
      size: cp.size,
      root: cp.root.toString('base64'),
      chainHead: cp.chainHead.toString('base64'),
      signedAt: cp.signedAt,
      note: cp.note,
      verifierKey: this.verifierKey,
    };
  }
}
