import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS, jsonSize, resolveLimits } from './input-limits';

describe('jsonSize', () => {
  it('is close to the JSON length', () => {
    const value = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'x'.repeat(100), list: [1, true, null] } };
    const size = jsonSize(value, Infinity);
    expect(size).toBeGreaterThanOrEqual(JSON.stringify(value).length * 0.8);
    expect(size).toBeLessThanOrEqual(JSON.stringify(value).length * 2);
  });

  it('counts a shared object every time it appears, and stops at the budget', () => {
    const shared = { s: 'x'.repeat(1000) };
    let value: unknown = shared;
    for (let i = 0; i < 30; i++) value = [value, value]; // 2^30 copies when written out
    const size = jsonSize(value, 1_000_000);
    expect(size).toBeGreaterThan(1_000_000);
    expect(size).toBeLessThan(1_100_000);
  });
});

describe('resolveLimits', () => {
  it('fills defaults, caps the per-file size at the parser limit, refuses nonsense', () => {
    expect(resolveLimits(undefined)).toEqual(DEFAULT_INPUT_LIMITS);
    expect(resolveLimits({ maxFileBytes: 1e9 }).maxFileBytes).toBe(DEFAULT_INPUT_LIMITS.maxFileBytes);
    expect(() => resolveLimits({ maxFiles: -1 })).toThrow(/maxFiles/);
    expect(() => resolveLimits({ maxDocuments: 1.5 })).toThrow(/maxDocuments/);
  });
});
