import { describe, expect, it } from 'vitest';
import { isWindowActive, parseDurationMinutes, windowVerdict, type SyncWindow } from './sync-window';

const w = (kind: 'allow' | 'deny', schedule: string, duration: string, extra: Partial<SyncWindow> = {}): SyncWindow => ({ kind, schedule, duration, timeZone: 'UTC', manualSync: false, ...extra });
const t = (iso: string) => new Date(iso);

describe('sync windows', () => {
  it('parses durations', () => {
    expect(parseDurationMinutes('1h')).toBe(60);
    expect(parseDurationMinutes('1h30m')).toBe(90);
    expect(parseDurationMinutes('90s')).toBe(2);
    expect(() => parseDurationMinutes('')).toThrow(/not a duration/);
    expect(() => parseDurationMinutes('0m')).toThrow(/between/);
    expect(() => parseDurationMinutes('800h')).toThrow(/between/);
    expect(() => parseDurationMinutes('1d')).toThrow(/not a duration/);
  });

  const active: Array<[string, SyncWindow, string, boolean]> = [
    ['opens at its start minute', w('deny', '0 22 * * *', '8h'), '2026-03-04T22:00:00Z', true],
    ['is open in the middle', w('deny', '0 22 * * *', '8h'), '2026-03-05T03:59:59Z', true],
    ['closes at start + duration', w('deny', '0 22 * * *', '8h'), '2026-03-05T06:00:00Z', false],
    ['is closed before its start', w('deny', '0 22 * * *', '8h'), '2026-03-04T21:59:59Z', false],
    ['respects a time zone', w('allow', '0 9 * * *', '1h', { timeZone: 'Europe/Berlin' }), '2026-01-15T08:30:00Z', true],
    ['respects a time zone (outside)', w('allow', '0 9 * * *', '1h', { timeZone: 'Europe/Berlin' }), '2026-01-15T09:30:00Z', false],
    ['respects summer time', w('allow', '0 9 * * *', '1h', { timeZone: 'Europe/Berlin' }), '2026-07-15T07:30:00Z', true],
    ['handles half-hour offsets', w('allow', '0 9 * * *', '30m', { timeZone: 'Asia/Kolkata' }), '2026-07-15T03:45:00Z', true],
    ['weekends only', w('deny', '0 0 * * sat', '48h'), '2026-03-08T12:00:00Z', true],
    ['weekends only (monday)', w('deny', '0 0 * * sat', '48h'), '2026-03-09T00:00:00Z', false],
  ];
  it.each(active)('%s', (_name, window, now, expected) => {
    expect(isWindowActive(window, t(now))).toBe(expected);
  });

  it('allows everything without windows', () => {
    expect(windowVerdict([], t('2026-03-04T12:00:00Z'), false).allowed).toBe(true);
  });

  it('blocks in an active deny window, and lets manual syncs through only when it says so', () => {
    const night = w('deny', '0 22 * * *', '8h');
    expect(windowVerdict([night], t('2026-03-04T23:00:00Z'), false)).toMatchObject({ allowed: false, reason: expect.stringMatching(/blocked by the active deny window/) });
    expect(windowVerdict([night], t('2026-03-04T23:00:00Z'), true).allowed).toBe(false);
    expect(windowVerdict([{ ...night, manualSync: true }], t('2026-03-04T23:00:00Z'), true).allowed).toBe(true);
    expect(windowVerdict([night], t('2026-03-04T12:00:00Z'), false).allowed).toBe(true);
  });

  it('syncs only inside an allow window when one exists', () => {
    const office = w('allow', '0 9 * * 1-5', '8h');
    expect(windowVerdict([office], t('2026-03-04T10:00:00Z'), false).allowed).toBe(true);
    expect(windowVerdict([office], t('2026-03-04T18:00:00Z'), false)).toMatchObject({ allowed: false, reason: expect.stringMatching(/outside every allow window/) });
    expect(windowVerdict([{ ...office, manualSync: true }], t('2026-03-04T18:00:00Z'), true).allowed).toBe(true);
  });

  it('lets a deny window win over an allow window', () => {
    const office = w('allow', '0 9 * * *', '8h');
    const freeze = w('deny', '0 12 * * *', '1h');
    expect(windowVerdict([office, freeze], t('2026-03-04T12:30:00Z'), false).allowed).toBe(false);
    expect(windowVerdict([office, freeze], t('2026-03-04T13:30:00Z'), false).allowed).toBe(true);
  });
});
