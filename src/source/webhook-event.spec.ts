import { describe, expect, it } from 'vitest';
import { classifyWebhook, type WebhookAction } from './webhook-event';
import type { WebhookProvider } from './webhook-signature';

const cases: Array<[string, WebhookProvider, string, unknown, WebhookAction['action']]> = [
  ['GitHub push to the branch', 'github', 'push', { ref: 'refs/heads/main' }, 'fetch'],
  ['GitHub push to the approvals notes', 'github', 'push', { ref: 'refs/notes/gitseal-approvals' }, 'fetch'],
  ['GitHub push to another branch', 'github', 'push', { ref: 'refs/heads/feature' }, 'ignored'],
  ['GitHub push of a tag', 'github', 'push', { ref: 'refs/tags/v1' }, 'ignored'],
  ['GitHub push to a branch whose name ends like ours', 'github', 'push', { ref: 'refs/heads/x/main' }, 'ignored'],
  ['GitHub ping', 'github', 'ping', { zen: 'hi' }, 'ping'],
  ['GitHub pull request', 'github', 'pull_request', { ref: 'refs/heads/main' }, 'ignored'],
  ['GitLab push', 'gitlab', 'Push Hook', { ref: 'refs/heads/main' }, 'fetch'],
  ['GitLab tag push', 'gitlab', 'Tag Push Hook', { ref: 'refs/tags/v1' }, 'ignored'],
  ['GitLab merge request', 'gitlab', 'Merge Request Hook', {}, 'ignored'],
  ['GitLab "push" spelled like GitHub', 'gitlab', 'push', { ref: 'refs/heads/main' }, 'ignored'],
  ['Gitea push', 'gitea', 'push', { ref: 'refs/heads/main' }, 'fetch'],
  ['Gitea other branch', 'gitea', 'push', { ref: 'refs/heads/dev' }, 'ignored'],
  ['Forgejo push', 'forgejo', 'push', { ref: 'refs/heads/main' }, 'fetch'],
  ['Gitea has no ping event', 'gitea', 'ping', {}, 'ignored'],
  ['generic push without a body', 'generic', 'push', undefined, 'fetch'],
  ['generic push with the branch', 'generic', 'push', { ref: 'refs/heads/main' }, 'fetch'],
  ['generic push for another branch', 'generic', 'push', { ref: 'refs/heads/dev' }, 'ignored'],
  ['generic ping', 'generic', 'ping', {}, 'ping'],
  ['a push whose ref is not a string', 'github', 'push', { ref: 42 }, 'fetch'],
  ['a push whose body is an array', 'github', 'push', [1, 2], 'fetch'],
];

describe('classifyWebhook', () => {
  it.each(cases)('%s', (_name, provider, event, payload, expected) => {
    expect(classifyWebhook(provider, event, payload, 'main').action).toBe(expected);
  });

  it('says why a call was ignored', () => {
    expect(classifyWebhook('github', 'push', { ref: 'refs/heads/dev' }, 'main')).toEqual({ action: 'ignored', reason: 'a push to "refs/heads/dev", not to refs/heads/main' });
    expect(classifyWebhook('github', 'issues', {}, 'main')).toEqual({ action: 'ignored', reason: 'event "issues" is not a push' });
  });
});
