import { runGit } from '../../../src/source/git-rev';
import type { AllowedCommit, BlockedCommit, GateReader } from '../../../src/reconciler/gate-reader';
import type { LedgerWriter } from '../../../src/reconciler/state/sync-recorder';

/**
 * A test double of the gate boundary over a real repository: each `allow`/`block` records a real
 * `gate.decided` ledger entry (so sync.started can follow it), and `newestAllowed` walks the real
 * branch. Only what the test decided is known; everything else is undecided (never applied).
 */
export class TestGateReader implements GateReader {
  private readonly decisions = new Map<string, AllowedCommit | BlockedCommit>();
  private readonly listeners = new Set<(e: AllowedCommit & { repositoryId: string }) => void>();
  /** Calls made to `decision`, for asserting that every apply path asked. */
  readonly asked: string[] = [];

  constructor(
    private readonly repositoryId: string,
    private readonly repoPath: string,
    private readonly ledger: LedgerWriter,
    private readonly branch = 'main',
  ) {}

  async allow(sha: string): Promise<AllowedCommit> {
    const [e] = await this.ledger.append([{ type: 'gate.decided', commit: sha, body: { repository: this.repositoryId, decision: 'allow', reasons: [] } }]);
    const allowed: AllowedCommit = { sha, allowed: true, gateSeq: e.entry.seq, mirrorPath: this.repoPath };
    this.decisions.set(sha, allowed);
    for (const l of this.listeners) l({ ...allowed, repositoryId: this.repositoryId });
    return allowed;
  }

  async block(sha: string, reasons = ['unsigned']): Promise<void> {
    await this.ledger.append([{ type: 'gate.decided', commit: sha, body: { repository: this.repositoryId, decision: 'block', reasons } }]);
    this.decisions.set(sha, { sha, allowed: false, reasons });
  }

  async newestAllowed(repositoryId: string): Promise<AllowedCommit | null> {
    if (repositoryId !== this.repositoryId) return null;
    const { stdout } = await runGit(this.repoPath, ['rev-list', '--first-parent', `refs/heads/${this.branch}`]);
    for (const sha of stdout.toString('utf8').split('\n')) {
      const d = this.decisions.get(sha);
      if (d?.allowed) return d;
    }
    return null;
  }

  async decision(repositoryId: string, sha: string): Promise<AllowedCommit | BlockedCommit | null> {
    this.asked.push(sha);
    if (repositoryId !== this.repositoryId) return null;
    return this.decisions.get(sha) ?? null;
  }

  onAllowed(listener: (event: AllowedCommit & { repositoryId: string }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
