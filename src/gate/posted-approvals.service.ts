import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { DomainException } from '../common/domain.exception';
import { LedgerService } from '../ledger/ledger.service';
import { GitObjectReader } from '../source/git-object-reader';
import { SourceService } from '../source/source.service';
import { TrustService } from '../trust/trust.service';
import { verifyApprovals, type ApprovalInfo, type RejectedApproval } from '../verification/approval-verifier';
import { parseCommit } from '../verification/commit-object';
import { hashAlgoOf } from '../verification/git-signed-object';
import { GateRepository, type StoredDecision } from './gate.repository';
import { GateService } from './gate.service';

export const MAX_POSTED_APPROVAL_BYTES = 64 * 1024;

export interface PostedApprovalResult {
  approvals: ApprovalInfo[];
  /** The commit's decision after the approval was taken into account. */
  decision: StoredDecision | null;
}

/**
 * Approvals posted to the API (contracts §5): verified on receipt against the trust store and the
 * commit's exact tree, recorded (`approval.recorded`, valid or rejected, with who posted it),
 * stored, and then the repository is decided again so the approval takes effect.
 */
@Injectable()
export class PostedApprovalsService {
  private readonly repo = new GateRepository();

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly source: SourceService,
    private readonly trust: TrustService,
    private readonly gate: GateService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async post(repositoryId: string, commit: string, text: string, actor: string): Promise<PostedApprovalResult> {
    if (Buffer.byteLength(text, 'utf8') > MAX_POSTED_APPROVAL_BYTES) {
      throw new DomainException('gate.approval-too-large', 'too-large', `an approval may be at most ${MAX_POSTED_APPROVAL_BYTES} bytes`);
    }
    this.source.repository(repositoryId); // unknown repository: 404
    const tree = await this.treeOf(repositoryId, commit);
    const now = this.clock.now();
    const { approvals, rejected } = await verifyApprovals({ repositoryId, commit, tree }, [{ text, source: 'api' }], await this.trust.refresh(), { now });
    if (approvals.length === 0) {
      await this.ledger.append(rejected.map((r) => rejectedDraft(repositoryId, commit, r, actor)));
      const why = rejected.map((r) => r.message).join('; ') || 'no signed gitseal-approval/v1 statement found';
      throw new DomainException('gate.approval-rejected', 'invalid', `approval rejected: ${why}`, { rejected });
    }
    await this.dataSource.transaction(async (m) => {
      const entries = await this.ledger.append(
        [
          ...approvals.map((a) => ({ type: 'approval.recorded' as const, commit, body: { repository: repositoryId, status: 'valid', approval: a, postedBy: actor } })),
          ...rejected.map((r) => rejectedDraft(repositoryId, commit, r, actor)),
        ],
        m,
      );
      await this.repo.insertApproval(
        m,
        { repositoryId, commit, text, fingerprint: approvals.map((a) => a.fingerprint).join(','), seal: approvals.some((a) => a.seal), postedBy: actor, postedAt: now },
        entries[0].entry.seq,
      );
    });
    await this.gate.decide(repositoryId, 'approval');
    return { approvals, decision: (await this.gate.latest(repositoryId, commit)) ?? null };
  }

  private async treeOf(repositoryId: string, commit: string): Promise<string> {
    const reader = new GitObjectReader(this.source.mirror(repositoryId).path);
    try {
      const object = await reader.read(commit);
      if (object.status !== 'ok' || object.type !== 'commit') {
        throw new DomainException('gate.unknown-commit', 'not-found', `commit ${commit} is not in the mirror of ${repositoryId} (fetch first)`);
      }
      return parseCommit(object.data, hashAlgoOf(commit)).tree;
    } finally {
      await reader.close();
    }
  }
}

function rejectedDraft(repositoryId: string, commit: string, r: RejectedApproval, actor: string) {
  return { type: 'approval.recorded' as const, commit, body: { repository: repositoryId, status: 'rejected', rejection: r, postedBy: actor } };
}
