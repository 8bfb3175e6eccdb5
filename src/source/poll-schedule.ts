/**
 * When to poll a repository next. After a success: the interval with ±10 % jitter, so repositories
 * configured alike do not fetch in lock-step. After failures: exponential backoff from half the
 * interval, doubling per consecutive failure, capped, with "equal jitter" (between half and all of
 * the step), so a broken remote is never hammered and many broken remotes do not retry together.
 */
export interface PollDelayInput {
  intervalMs: number;
  consecutiveFailures: number;
  /** A number in [0, 1). */
  random: () => number;
  /** The longest wait after failures (default 30 min, never less than the interval). */
  maxBackoffMs?: number;
}

export const DEFAULT_MAX_BACKOFF_MS = 30 * 60_000;
/** The first poll after start comes within this time (or the interval, if shorter). */
export const FIRST_POLL_SPREAD_MS = 10_000;

export function nextPollDelay(input: PollDelayInput): number {
  const { intervalMs, consecutiveFailures } = input;
  const r = clampUnit(input.random());
  if (consecutiveFailures <= 0) return Math.round(intervalMs * (0.9 + 0.2 * r));
  const cap = Math.max(intervalMs, input.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS);
  const step = Math.min(cap, intervalMs * 2 ** Math.min(consecutiveFailures - 1, 30));
  return Math.round(step / 2 + (step / 2) * r);
}

export function firstPollDelay(intervalMs: number, random: () => number): number {
  return Math.round(Math.min(intervalMs, FIRST_POLL_SPREAD_MS) * clampUnit(random()));
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0.5;
}
