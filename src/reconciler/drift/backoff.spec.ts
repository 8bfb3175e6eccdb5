import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff';

describe('backoff', () => {
  it('doubles from one second up to five minutes, with jitter of ±50%', () => {
    expect(backoffMs(1, () => 0.5)).toBe(1000);
    expect(backoffMs(2, () => 0.5)).toBe(2000);
    expect(backoffMs(5, () => 0.5)).toBe(16_000);
    expect(backoffMs(40, () => 0.5)).toBe(300_000);
    expect(backoffMs(3, () => 0)).toBe(2000);
    expect(backoffMs(3, () => 0.999)).toBeCloseTo(5996, 0);
  });
});
