import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import type { RepositoryConfig } from '../config/gitseal-file';
import { LedgerService } from '../ledger/ledger.service';
import { MetricsService } from '../metrics/metrics.service';
import { PolicyService } from '../policy/policy.service';
import { GitObjectReader } from '../source/git-object-reader';
import type { RepositoryFetched } from '../source/source.events';
import { SourceService } from '../source/source.service';
import { TrustService } from '../trust/trust.service';
import type { ApprovalMessage } from '../verification/approval-verifier';
import { combineApprovals, NotesApprovalProvider, type ApprovalProvider } from './approval-provider';
import { approvalDrafts, commitVerifiedDraft, decisionFingerprint, gateDecidedDraft, policyDecidedDraft } from './decision-record';
import { decideRange } from './gate-engine';
import { GateRepository, type StoredDecision } from './gate.repository';
import type { CommitDecision, GateRepository as GatedRepository } from './gate.types';

export interface AllowedEvent {
  repositoryId: string;
  sha: string;
  gateSeq: number;
}

export interface DecideSummary {
  repositoryId: string;
  head: string | null;
  anchor: string | null;
  decided: number;
  recorded: number;
  allowed: number;
  blocked: number;
}

/**
 * The gate in the service: whenever a repository's mirror changes (new commits, new approval
 * notes) or an approval is posted, it decides the commits after the anchor (the newest commit it
 * allowed) up to the branch head, records every decision that differs from the last one recorded
 * for that commit (ledger entries and the gate tables, in one transaction), moves the anchor to the
 * newest allowed commit, and tells the reconciler. Decisions of one repository run one at a time.
 */
@Injectable()
export class GateService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('gate');
  private readonly repo = new GateRepository();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly lastRuns = new Map<string, DecideSummary & { runs: number; at: string }>();
  private readonly events = new EventEmitter();
  private unsubscribe: Array<() => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly source: SourceService,
    private readonly trust: TrustService,
    private readonly policies: PolicyService,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.events.setMaxListeners(0);
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = [
      this.source.onFetched((event) => this.onFetched(event)),
      // New policies or trust decide the undecided and blocked commits again (allowed ones stay allowed).
      this.policies.onReloaded(() => this.decideAll('policy')),
      this.trust.onChanged(() => this.decideAll('trust')),
    ];
  }

  onApplicationShutdown(): void {
    for (const stop of this.unsubscribe) stop();
  }

  private decideAll(trigger: 'policy' | 'trust'): void {
    for (const r of this.source.repositories()) {
      this.decide(r.id, trigger).catch((err: unknown) => this.logger.error(`${r.id}: decision after a ${trigger} change failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** Subscribes to newly allowed heads; returns the unsubscribe function. */
  onAllowed(listener: (event: AllowedEvent) => void): () => void {
    this.events.on('allowed', listener);
    return () => this.events.off('allowed', listener);
  }

  async onFetched(event: RepositoryFetched): Promise<void> {
    await this.decide(event.repositoryId, 'fetch');
  }

  /** Decides the repository now (serialised with any running decision of the same repository). */
  decide(repositoryId: string, trigger: 'fetch' | 'approval' | 'policy' | 'trust' | 'manual'): Promise<DecideSummary> {
    const previous = this.queues.get(repositoryId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.decideNow(repositoryId, trigger));
    this.queues.set(repositoryId, run.catch(() => undefined));
    return run;
  }

  private async decideNow(repositoryId: string, trigger: string): Promise<DecideSummary> {
    const config = this.source.repository(repositoryId);
    const mirror = this.source.mirror(repositoryId);
    const head = await mirror.head();
    const state = await this.repo.state(this.dataSource.manager, repositoryId);
    const anchor = state?.anchor ?? null;
    const summary: DecideSummary = { repositoryId, head, anchor, decided: 0, recorded: 0, allowed: 0, blocked: 0 };
    if (!head) return summary;
    const reader = new GitObjectReader(mirror.path);
    const timer = this.metrics.gateRunDuration.startTimer({ repository: repositoryId });
    try {
      const trust = await this.trust.refresh();
      const { engine } = this.policies.current();
      const approvals = combineApprovals(new NotesApprovalProvider(mirror.path, reader), this.postedApprovals(repositoryId));
      const decisions = await decideRange(gatedRepository(config, mirror.path), { anchor, head }, { trust, policy: engine, approvals, now: this.clock.now() });
      summary.decided = decisions.length;
      const existing = await this.repo.latestFor(this.dataSource.manager, repositoryId, decisions.map((d) => d.sha));
      let newest: { sha: string; gateSeq: number } | undefined;
      for (const d of decisions) {
        const before = existing.get(d.sha);
        const gateSeq = before && before.evidence.fingerprint === decisionFingerprint(d) ? before.gateSeq : await this.record(repositoryId, d, trigger);
        if (!before || before.gateSeq !== gateSeq) {
          summary.recorded++;
          this.metrics.gateDecisions.inc({ repository: repositoryId, decision: d.decision });
        }
        if (d.decision === 'allow') {
          summary.allowed++;
          newest = { sha: d.sha, gateSeq };
        } else summary.blocked++;
      }
      const newAnchor = newest?.sha ?? anchor;
      summary.anchor = newAnchor;
      await this.repo.saveState(this.dataSource.manager, {
        repositoryId,
        anchor: newAnchor,
        decidedHead: head,
        decidedNotes: this.source.statusOf(repositoryId).notes,
        updatedAt: this.clock.now().toISOString(),
      });
      if (newest) await mirror.pin('gate/anchor', newest.sha);
      if (newest && newest.sha !== anchor) this.events.emit('allowed', { repositoryId, sha: newest.sha, gateSeq: newest.gateSeq } satisfies AllowedEvent);
      this.lastRuns.set(repositoryId, { ...summary, runs: (this.lastRuns.get(repositoryId)?.runs ?? 0) + 1, at: this.clock.now().toISOString() });
      this.logger.log(`${repositoryId}: decided ${summary.decided} commit(s) up to ${head.slice(0, 12)}: ${summary.allowed} allowed, ${summary.blocked} blocked, ${summary.recorded} recorded`);
      return summary;
    } finally {
      timer();
      await reader.close();
    }
  }

  /** One decision: its ledger entries, its row and its input, all or nothing. */
  private async record(repositoryId: string, d: CommitDecision, trigger: string): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const [verified] = await this.ledger.append([commitVerifiedDraft(repositoryId, d)], m);
      const approvals = await this.ledger.append(approvalDrafts(repositoryId, d), m);
      const evidenceSeqs = [verified.entry.seq, ...approvals.map((a) => a.entry.seq)];
      const [policy] = await this.ledger.append([policyDecidedDraft(repositoryId, d, evidenceSeqs)], m);
      const [gate] = await this.ledger.append([gateDecidedDraft(repositoryId, d, trigger, [...evidenceSeqs, policy.entry.seq])], m);
      if (d.input && d.policy.inputHash) await this.repo.insertInput(m, d.policy.inputHash, d.input, this.clock.now());
      await this.repo.insertDecision(m, {
        repositoryId,
        sha: d.sha,
        decision: d.decision,
        reasons: d.reasons,
        warnings: d.warnings,
        mode: d.mode,
        policyDigest: d.policy.digest,
        inputHash: d.policy.inputHash,
        evidence: {
          fingerprint: decisionFingerprint(d),
          signature: d.verification.signature,
          approvals: d.approvals,
          policy: { engine: d.policy.engine, deny: d.policy.deny, warn: d.policy.warn, error: d.policy.error, inputProblems: d.policy.inputProblems },
          seal: d.seal,
          blockedAncestor: d.blockedAncestor,
          anchor: d.anchor,
          ledger: { commitVerified: verified.entry.seq, approvals: approvals.map((a) => a.entry.seq), policyDecided: policy.entry.seq },
        },
        trigger,
        decidedAt: d.decidedAt,
        gateSeq: gate.entry.seq,
      });
      return gate.entry.seq;
    });
  }

  private postedApprovals(repositoryId: string): ApprovalProvider {
    return {
      forCommit: async (sha: string): Promise<ApprovalMessage[]> =>
        (await this.repo.approvalsFor(this.dataSource.manager, repositoryId, sha)).map((text) => ({ text, source: 'api' })),
    };
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** The summary of the repository's most recent decision run (with a run counter), if any. */
  lastRun(repositoryId: string): (DecideSummary & { runs: number; at: string }) | undefined {
    return this.lastRuns.get(repositoryId);
  }

  async state(repositoryId: string) {
    return this.repo.state(this.dataSource.manager, repositoryId);
  }

  async latest(repositoryId: string, sha: string): Promise<StoredDecision | undefined> {
    return (await this.repo.latestFor(this.dataSource.manager, repositoryId, [sha])).get(sha);
  }
}

export function gatedRepository(config: RepositoryConfig, gitDir: string): GatedRepository {
  return {
    id: config.id,
    url: config.url,
    branch: config.branch,
    gitDir,
    manifestPath: config.manifestPath,
    mode: config.mode,
    requiredApprovals: config.requiredApprovals,
  };
}
