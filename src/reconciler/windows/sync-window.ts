import { cronMatches, parseCron, type CronSchedule } from './cron';
import { offsetMinutes } from './zoned-time';

/**
 * Sync windows with Argo CD's semantics: a deny window that is active blocks; when allow windows
 * exist, syncs happen only while one is active. `manualSync: true` lets manual syncs (and
 * rollbacks) through a window that would block them. Pure over the clock value given.
 */
export interface SyncWindow {
  kind: 'allow' | 'deny';
  /** Five-field cron: when the window opens. */
  schedule: string;
  /** How long it stays open, e.g. `1h`, `90m`, `1h30m`. */
  duration: string;
  timeZone: string;
  manualSync: boolean;
}

export interface WindowVerdict {
  allowed: boolean;
  /** Why, for the status and the error message. */
  reason: string;
}

export const MAX_WINDOW_MINUTES = 31 * 24 * 60;

/** `1h30m`, `45m`, `2h`, `90s` (seconds rounded up to minutes); at least a minute, at most 31 days. */
export function parseDurationMinutes(text: string): number {
  const m = /^(?:(\d{1,5})h)?(?:(\d{1,6})m)?(?:(\d{1,7})s)?$/.exec(text);
  if (!m || text === '') throw new RangeError(`"${text}" is not a duration like 1h, 30m or 1h30m`);
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 1 || minutes > MAX_WINDOW_MINUTES) throw new RangeError(`duration ${text} must be between 1m and 31 days`);
  return minutes;
}

interface Compiled {
  window: SyncWindow;
  cron: CronSchedule;
  minutes: number;
}

const compiled = new WeakMap<SyncWindow, Compiled>();

function compile(window: SyncWindow): Compiled {
  let c = compiled.get(window);
  if (!c) {
    c = { window, cron: parseCron(window.schedule), minutes: parseDurationMinutes(window.duration) };
    compiled.set(window, c);
  }
  return c;
}

/** Whether the window is open at `now`: some start time t matches the schedule with t ≤ now < t + duration. */
export function isWindowActive(window: SyncWindow, now: Date): boolean {
  const { cron, minutes } = compile(window);
  const nowMinute = Math.floor(now.getTime() / 60_000);
  const earliest = nowMinute - minutes + 1;
  const zone = window.timeZone;
  // Offsets change only at DST transitions: compute once when the range has none.
  const steady = offsetMinutes(zone, nowMinute * 60_000) === offsetMinutes(zone, earliest * 60_000);
  const fixed = offsetMinutes(zone, nowMinute * 60_000);
  for (let minute = nowMinute; minute >= earliest; minute--) {
    const offset = steady ? fixed : offsetMinutes(zone, minute * 60_000);
    const local = new Date((minute + offset) * 60_000);
    const t = { minute: local.getUTCMinutes(), hour: local.getUTCHours(), day: local.getUTCDate(), month: local.getUTCMonth() + 1, weekday: local.getUTCDay() };
    if (cronMatches(cron, t)) return true;
  }
  return false;
}

function describe(w: SyncWindow): string {
  return `${w.kind} window "${w.schedule}" for ${w.duration} (${w.timeZone})`;
}

/** Whether a sync may run now; `manual` for manual syncs and rollbacks. */
export function windowVerdict(windows: readonly SyncWindow[], now: Date, manual: boolean): WindowVerdict {
  if (windows.length === 0) return { allowed: true, reason: 'no sync windows' };
  const active = windows.filter((w) => isWindowActive(w, now));
  const activeDeny = active.filter((w) => w.kind === 'deny');
  if (activeDeny.length > 0) {
    if (manual && activeDeny.every((w) => w.manualSync)) return { allowed: true, reason: `manual sync allowed by ${describe(activeDeny[0])}` };
    return { allowed: false, reason: `blocked by the active ${describe(activeDeny[0])}` };
  }
  if (active.some((w) => w.kind === 'allow')) return { allowed: true, reason: `inside the ${describe(active.find((w) => w.kind === 'allow') as SyncWindow)}` };
  const inactiveAllows = windows.filter((w) => w.kind === 'allow');
  if (inactiveAllows.length === 0) return { allowed: true, reason: 'no deny window is active' };
  if (manual && inactiveAllows.some((w) => w.manualSync)) return { allowed: true, reason: 'manual sync allowed outside the allow windows' };
  return { allowed: false, reason: `outside every allow window (${inactiveAllows.map(describe).join('; ')})` };
}
