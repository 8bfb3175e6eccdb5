import { Injectable } from '@nestjs/common';
import type { AllowedCommit, BlockedCommit, GateReader } from '../reconciler/gate-reader';
import { SourceService } from '../source/source.service';
import { GateService } from './gate.service';

/**
 * The reconciler's view of the gate: it may apply a commit only when the gate's current decision
 * on that exact commit is `allow`. Answers come from the gate's tables, never from a cache the
 * reconciler keeps.
 */
@Injectable()
export class GateReaderService implements GateReader {
  constructor(
    private readonly gate: GateService,
    private readonly source: SourceService,
  ) {}

  async newestAllowed(repositoryId: string): Promise<AllowedCommit | null> {
    const state = await this.gate.state(repositoryId);
    if (!state?.anchor) return null;
    const answer = await this.decision(repositoryId, state.anchor);
    return answer && answer.allowed ? answer : null;
  }

  async decision(repositoryId: string, sha: string): Promise<AllowedCommit | BlockedCommit | null> {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) return null;
    const d = await this.gate.latest(repositoryId, sha);
    if (!d) return null;
    if (d.decision !== 'allow') return { sha, allowed: false, reasons: d.reasons.map((r) => `${r.code}: ${r.message}`) };
    return { sha, allowed: true, gateSeq: d.gateSeq, mirrorPath: this.source.mirror(repositoryId).path };
  }

  onAllowed(listener: (event: AllowedCommit & { repositoryId: string }) => void): () => void {
    return this.gate.onAllowed((e) => {
      listener({ repositoryId: e.repositoryId, sha: e.sha, allowed: true, gateSeq: e.gateSeq, mirrorPath: this.source.mirror(e.repositoryId).path });
    });
  }
}
