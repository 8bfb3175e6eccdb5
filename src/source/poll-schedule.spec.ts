import { describe, expect, it } from 'vitest';
import { firstPollDelay, nextPollDelay } from './poll-schedule';

const at = (r: number) => () => r;

describe('nextPollDelay', () => {
  it('polls on the interval with ±10 % jitter after a success', () => {
    expect(nextPollDelay({ intervalMs: 60_000, consecutiveFailures: 0, random: at(0) })).toBe(54_000);
    expect(nextPollDelay({ intervalMs: 60_000, consecutiveFailures: 0, random: at(0.5) })).toBe(60_000);
    expect(nextPollDelay({ intervalMs: 60_000, consecutiveFailures: 0, random: at(0.999999) })).toBe(66_000);
  });

  it('backs off exponentially after failures, between half and all of each step', () => {
    const steps = [1, 2, 3, 4].map((f) => [f, nextPollDelay({ intervalMs: 60_000, consecutiveFailures: f, random: at(0) }), nextPollDelay({ intervalMs: 60_000, consecutiveFailures: f, random: at(1) })]);
    expect(steps).toEqual([
      [1, 30_000, 60_000],
      [2, 60_000, 120_000],
      [3, 120_000, 240_000],
      [4, 240_000, 480_000],
    ]);
  });

  it('never waits longer than the cap, nor less than the interval allows, however many failures', () => {
    const long = nextPollDelay({ intervalMs: 60_000, consecutiveFailures: 1_000, random: at(1) });
    expect(long).toBe(30 * 60_000);
    expect(nextPollDelay({ intervalMs: 5_000, consecutiveFailures: 50, random: at(0), maxBackoffMs: 60_000 })).toBe(30_000);
    // An interval longer than the cap is never shortened by failures beyond one halving.
    expect(nextPollDelay({ intervalMs: 3_600_000, consecutiveFailures: 9, random: at(0) })).toBe(1_800_000);
  });

  it('tolerates a random source out of range', () => {
    expect(nextPollDelay({ intervalMs: 10_000, consecutiveFailures: 0, random: at(Number.NaN) })).toBe(10_000);
    expect(nextPollDelay({ intervalMs: 10_000, consecutiveFailures: 0, random: at(7) })).toBe(11_000);
  });
});

describe('firstPollDelay', () => {
  it('spreads the first polls over at most 10 s, or the interval if shorter', () => {
    expect(firstPollDelay(60_000, at(0.5))).toBe(5_000);
    expect(firstPollDelay(4_000, at(1))).toBe(4_000);
    expect(firstPollDelay(60_000, at(0))).toBe(0);
  });
});
