import { APPROVALS_NOTES_REF } from './git-rev';
import type { WebhookProvider } from './webhook-signature';

/**
 * What a verified webhook call asks for, pure: a push to the configured branch (or to the
 * approvals notes) means fetch; a ping is answered; anything else is acknowledged and ignored.
 */
export type WebhookAction = { action: 'fetch' } | { action: 'ping' } | { action: 'ignored'; reason: string };

const PUSH_EVENTS: Record<WebhookProvider, string> = {
  github: 'push',
  gitlab: 'Push Hook',
  gitea: 'push',
  forgejo: 'push',
  generic: 'push',
};

export function classifyWebhook(provider: WebhookProvider, event: string, payload: unknown, branch: string): WebhookAction {
  if (event === 'ping' && (provider === 'github' || provider === 'generic')) return { action: 'ping' };
  if (event !== PUSH_EVENTS[provider]) return { action: 'ignored', reason: `event ${JSON.stringify(event.slice(0, 60))} is not a push` };
  const ref = refOf(payload);
  // A push without a ref is still a reason to look: a fetch finds out, and costs little.
  if (ref === undefined || ref === `refs/heads/${branch}` || ref === APPROVALS_NOTES_REF) return { action: 'fetch' };
  return { action: 'ignored', reason: `a push to ${JSON.stringify(ref.slice(0, 200))}, not to refs/heads/${branch}` };
}

function refOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const ref = (payload as { ref?: unknown }).ref;
  return typeof ref === 'string' ? ref : undefined;
}
