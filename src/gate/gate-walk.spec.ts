import { describe, expect, it } from 'vitest';
import type { ApprovalInfo } from '../verification/approval-verifier';
import { walkHead, walkStrict, type WalkNode } from './gate-walk';

const seal: ApprovalInfo = { fingerprint: 'F'.repeat(40), signer: { name: 'Dana', email: 'd@x', roles: ['approver'] }, signedAt: '2026-01-01T00:00:00Z', source: 'git-note', seal: true };

function node(sha: string, parents: string[], blocked = false, sealed = false): WalkNode {
  return { sha, parents, ownBlocked: blocked, firstReason: blocked ? 'unsigned' : null, seal: sealed ? seal : null };
}

const summary = (nodes: WalkNode[], rewritten = false) =>
  walkStrict(nodes, rewritten).map((o) => [o.sha, o.historyRewritten ? 'R' : '-', o.blockedAncestor?.sha ?? '-', o.seal ? `${o.seal.commit}:${o.seal.covers ?? '-'}` : '-'].join(' '));

describe('walkStrict', () => {
  it.each([
    ['a clean chain', [node('a', ['o']), node('b', ['a'])], false, ['a - - -', 'b - - -']],
    ['a blocked commit blocks what follows, naming the oldest', [node('a', ['o'], true), node('b', ['a'], true), node('c', ['b'])], false, ['a - - -', 'b - a -', 'c - a -']],
    ['a seal stops the walk and is recorded', [node('a', ['o'], true), node('s', ['a'], false, true), node('c', ['s'])], false, ['a - - -', 's - - s:a', 'c - - s:a']],
    ['a blocked commit after the seal still blocks', [node('a', ['o'], true), node('s', ['a'], false, true), node('b', ['s'], true), node('c', ['b'])], false, ['a - - -', 's - - s:a', 'b - - s:a', 'c - b s:a']],
    ['a sealed commit that fails its own checks blocks its children', [node('a', ['o']), node('s', ['a'], true, true), node('c', ['s'])], false, ['a - - -', 's - - -', 'c - s -']],
    ['a seal with nothing to cover is not an exception', [node('a', ['o']), node('s', ['a'], false, true)], false, ['a - - -', 's - - -']],
    ['a merge sees both sides', [node('a', ['o']), node('x', ['o'], true), node('m', ['a', 'x'])], false, ['a - - -', 'x - - -', 'm - x -']],
    ['a seal on one side does not cover the other', [node('x', ['o'], true), node('s', ['x'], false, true), node('y', ['o'], true), node('m', ['s', 'y'])], false, ['x - - -', 's - - s:x', 'y - - -', 'm - y s:x']],
    ['rewritten: every commit, until a seal', [node('a', ['o']), node('b', ['a']), node('s', ['b'], false, true), node('c', ['s'])], true, ['a R - -', 'b R - -', 's - - s:a', 'c - - s:a']],
    ['rewritten: a merge with a sealed side names the unsealed side', [node('s', ['o'], false, true), node('y', ['o']), node('m', ['s', 'y'])], true, ['s - - s:-', 'y R - -', 'm - y s:-']],
    ['rewritten and blocked: both reasons', [node('a', ['o'], true), node('b', ['a'])], true, ['a R - -', 'b R a -']],
  ])('%s', (_, nodes, rewritten, expected) => {
    expect(summary(nodes, rewritten)).toEqual(expected);
  });

  it('names the own reason of the blocking commit, and history-rewritten for one blocked only by the rewrite', () => {
    const out = walkStrict([node('s', ['o'], false, true), node('y', ['o']), node('m', ['s', 'y'])], true);
    expect(out[2].blockedAncestor).toEqual({ sha: 'y', code: 'history-rewritten' });
    const blocked = walkStrict([node('a', ['o'], true), node('b', ['a'])], false);
    expect(blocked[1].blockedAncestor).toEqual({ sha: 'a', code: 'unsigned' });
  });

  it('refuses a range out of topological order', () => {
    expect(() => walkStrict([node('b', ['a']), node('a', ['o'])], false)).toThrow(/topological order/);
  });
});

describe('walkHead', () => {
  it('ignores ancestors; a seal on the target vouches for a rewrite', () => {
    expect(walkHead(node('h', ['p']), false)).toEqual({ sha: 'h', historyRewritten: false, blockedAncestor: null, seal: null });
    expect(walkHead(node('h', ['p']), true).historyRewritten).toBe(true);
    expect(walkHead(node('h', ['p'], false, true), true)).toMatchObject({ historyRewritten: false, seal: { commit: 'h', covers: null, historyRewritten: true } });
    expect(walkHead(node('h', ['p'], false, true), false).seal).toBeNull();
  });
});
