const MAX_BACKOFF_MS = 300_000;

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … 5 min, each ×[0.5, 1.5). */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempt - 1)) * (0.5 + random());
}
