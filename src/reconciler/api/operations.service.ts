import { Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../../common/domain.exception';
import { isAncestor, resolveCommit } from '../../source/git-rev';
import type { SyncRequest, SyncResult } from '../loop';
import { ReconcilerException } from '../reconciler.exception';
import { ReconcilerService } from '../reconciler.service';
import { authorizeCommit } from '../steps/authorize.step';
import { settingsOf, settingsPatchSchema, firstIssue, SETTING_KEYS, type TargetSettings } from '../target-settings';
import type { Target } from '../target';
import { windowVerdict } from '../windows/sync-window';
import { buildPlan, type PlanView } from './plan';
import { syncResultView, targetView } from './target-views';

export type Accepted = { accepted: true; commit: string; requestSeq: number };

/** What the operations API does; each change is a ledger entry naming the actor (the token's name). */
@Injectable()
export class OperationsService {
  private readonly logger = new Logger('reconciler');

  constructor(private readonly reconciler: ReconcilerService) {}

  async list() {
    return Promise.all(this.reconciler.list().map(async (t) => targetView(t, await this.reconciler.store.status(t.target.id))));
  }

  async get(id: string) {
    const t = this.reconciler.get(id);
    return targetView(t, await this.reconciler.store.status(id));
  }

  async update(id: string, body: unknown, actor: string) {
    const t = this.reconciler.get(id);
    const parsed = settingsPatchSchema.safeParse(body);
    if (!parsed.success) throw new ReconcilerException('invalid-settings', firstIssue(parsed.error));
    await this.changeSettings(t.target, parsed.data, actor, []);
    return this.get(id);
  }

  private async changeSettings(target: Target, patch: Partial<TargetSettings>, actor: string, follows: number[]): Promise<void> {
    const before = settingsOf(target.settings);
    const after = settingsOf({ ...before, ...patch });
    const changes = Object.fromEntries(SETTING_KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) => [k, { from: before[k], to: after[k] }]));
    if (Object.keys(changes).length === 0) return;
    await this.reconciler.writer.append([{ type: 'target.changed', follows, body: { target: target.id, actor, source: 'api', changes } }]);
    await this.reconciler.saveSettings(target.id, after, actor);
  }

  async plan(id: string): Promise<PlanView> {
    const { target, kube } = this.reconciler.running(id);
    const newest = await this.newest(target);
    const allowed = await authorizeCommit(this.reconciler.gate, target.repositoryId, newest);
    const status = await this.reconciler.store.status(id);
    return buildPlan(target, allowed, kube, await this.reconciler.store.inventory(id), status.syncedCommit);
  }

  async sync(id: string, actor: string, wait: boolean): Promise<Accepted | ReturnType<typeof syncResultView>> {
    const { target, runner } = this.reconciler.running(id);
    const allowed = await authorizeCommit(this.reconciler.gate, target.repositoryId, await this.newest(target));
    this.checkWindow(target);
    const [request] = await this.reconciler.writer.append([{ type: 'sync.requested', commit: allowed.sha, follows: [allowed.gateSeq], body: { target: id, actor } }]);
    const seq = request.entry.seq;
    return this.run(runner.sync.bind(runner), { sha: allowed.sha, trigger: 'manual', follows: [seq], actor }, seq, wait);
  }

  async rollback(id: string, commit: string, reason: string, actor: string, wait: boolean): Promise<Accepted | ReturnType<typeof syncResultView>> {
    const { target, runner } = this.reconciler.running(id);
    const allowed = await authorizeCommit(this.reconciler.gate, target.repositoryId, commit);
    if (!(await this.isRollbackCandidate(target, allowed.mirrorPath, commit))) {
      throw new ReconcilerException('not-rollback-candidate', `commit ${commit} is neither an ancestor of ${target.branch} nor a commit ${id} was synced to`);
    }
    this.checkWindow(target);
    const holdsAutomated = target.settings.automated;
    const [request] = await this.reconciler.writer.append([{ type: 'rollback.requested', commit, follows: [allowed.gateSeq], body: { target: id, actor, reason, automatedTurnedOff: holdsAutomated } }]);
    const seq = request.entry.seq;
    // Automated sync would undo the rollback at the next allowed commit: it is turned off, and recorded as such.
    if (holdsAutomated) await this.changeSettings(target, { automated: false }, actor, [seq]);
    return this.run(runner.sync.bind(runner), { sha: commit, trigger: 'rollback', follows: [seq], actor, reason }, seq, wait);
  }

  private async run(sync: (r: SyncRequest) => Promise<SyncResult>, req: SyncRequest, seq: number, wait: boolean) {
    const done = sync(req);
    if (wait) return syncResultView(await done);
    done.catch((err) => this.logger.error(`${req.trigger} sync of ${req.sha}: ${errorMessage(err)}`));
    return { accepted: true as const, commit: req.sha, requestSeq: seq };
  }

  private async newest(target: Target): Promise<string> {
    const newest = await this.reconciler.gate.newestAllowed(target.repositoryId);
    if (!newest) throw new ReconcilerException('no-allowed-commit', `the gate has allowed no commit of ${target.repositoryId} yet`);
    return newest.sha;
  }

  private checkWindow(target: Target): void {
    const verdict = windowVerdict(target.settings.windows, this.reconciler.clock.now(), true);
    if (!verdict.allowed) throw new ReconcilerException('sync-window-closed', `no sync of ${target.id} now: ${verdict.reason}`);
  }

  /** An ancestor of the branch head, or a commit this target was synced to before. */
  private async isRollbackCandidate(target: Target, mirrorPath: string, commit: string): Promise<boolean> {
    if (await this.reconciler.store.wasSynced(target.id, commit)) return true;
    let head: string | undefined;
    try {
      head = await resolveCommit(mirrorPath, `refs/heads/${target.branch}`);
    } catch {
      head = (await this.reconciler.gate.newestAllowed(target.repositoryId))?.sha;
    }
    return head !== undefined && (await isAncestor(mirrorPath, commit, head));
  }
}
