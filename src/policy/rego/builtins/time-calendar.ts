/** Calendar arithmetic on nanoseconds since the epoch (proleptic Gregorian, as Go's time). */
import { builtinError } from './registry';

export const NS_PER_SEC = 1_000_000_000n;
export const NS_PER_DAY = 86_400n * NS_PER_SEC;

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? y + 1 : y, m, d];
}

export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** Seconds east of UTC. */
  offset: number;
  zone: string;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && a < 0n) !== (b < 0n) && a % b !== 0n ? q - 1n : q;
}

/** Offset (seconds east of UTC) of a named zone at an instant. */
export function zoneOffset(zone: string, ns: bigint): number {
  if (zone === '' || zone === 'UTC') return 0;
  const ms = Number(floorDiv(ns, 1_000_000n));
  if (zone === 'Local') return -new Date(ms).getTimezoneOffset() * 60;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    throw builtinError(`unknown time zone ${zone}`);
  }
  const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 1000);
}

export function toCivil(ns: bigint, zone = 'UTC'): Civil {
  const offset = zoneOffset(zone, ns);
  const local = ns + BigInt(offset) * NS_PER_SEC;
  const days = floorDiv(local, NS_PER_DAY);
  const rem = local - days * NS_PER_DAY;
  const [year, month, day] = civilFromDays(Number(days));
  const secs = Number(rem / NS_PER_SEC);
  return { year, month, day, hour: Math.floor(secs / 3600), minute: Math.floor(secs / 60) % 60, second: secs % 60, nanos: Number(rem % NS_PER_SEC), offset, zone: zone === '' ? 'UTC' : zone };
}

/** Normalizes overflowing fields as Go's time.Date does. */
export function fromCivil(year: number, month: number, day: number, hour: number, minute: number, second: number, nanos: number, offset: number): bigint {
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = (((m0 % 12) + 12) % 12) + 1;
  const days = BigInt(daysFromCivil(y, m, 1) + day - 1);
  const secs = BigInt(hour) * 3600n + BigInt(minute) * 60n + BigInt(second) - BigInt(offset);
  return days * NS_PER_DAY + secs * NS_PER_SEC + BigInt(nanos);
}

export function daysIn(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function weekday(c: Civil): number {
  const d = daysFromCivil(c.year, c.month, c.day);
  return (((d % 7) + 7 + 4) % 7) as number;
}
