import { describe, expect, it } from 'vitest';
import { recordedChanges, REDACTED } from './redact';

const secret = { group: '', kind: 'Secret' };

describe('recorded changes', () => {
  it('keeps values of ordinary objects, live as before and desired as after', () => {
    expect(recordedChanges({ group: '', kind: 'ConfigMap' }, [{ path: '/data/a', live: '1', desired: '2' }, { path: '/data/b', desired: 'x' }])).toEqual([
      { path: '/data/a', before: '1', after: '2' },
      { path: '/data/b', after: 'x' },
    ]);
  });

  it('redacts Secret values at every depth, keeping keys and other fields', () => {
    expect(recordedChanges(secret, [
      { path: '/data/password', live: 'b2xk', desired: 'bmV3' },
      { path: '/data', live: { a: 'YQ==' }, desired: { a: 'Yg==', b: 'Yw==' } },
      { path: '/metadata/labels/app', live: 'x', desired: 'y' },
      { path: '', desired: { metadata: { name: 's' }, data: { token: 'c2VjcmV0' }, type: 'Opaque' } },
      { path: '/stringData/raw', desired: 'plain' },
    ])).toEqual([
      { path: '/data/password', before: REDACTED, after: REDACTED },
      { path: '/data', before: { a: REDACTED }, after: { a: REDACTED, b: REDACTED } },
      { path: '/metadata/labels/app', before: 'x', after: 'y' },
      { path: '', after: { metadata: { name: 's' }, data: { token: REDACTED }, type: 'Opaque' } },
      { path: '/stringData/raw', after: REDACTED },
    ]);
    expect(JSON.stringify(recordedChanges(secret, [{ path: '', desired: { data: { token: 'c2VjcmV0' } } }]))).not.toContain('c2VjcmV0');
  });
});

describe('bounded diffs', () => {
  it('keeps small diffs as they are and replaces the values of huge ones by digests', async () => {
    const { boundedChanges } = await import('./redact');
    const small = [{ path: '/data/a', before: '1', after: '2' }];
    expect(boundedChanges(small)).toBe(small);
    const huge = [{ path: '', after: { data: { blob: 'x'.repeat(300 * 1024) } } }];
    const bounded = boundedChanges(huge);
    expect(bounded).toMatchObject({ truncated: true, changes: [{ path: '', after: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number) } }] });
    expect(JSON.stringify(bounded).length).toBeLessThan(1000);
  });
});
