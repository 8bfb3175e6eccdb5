/** time.* builtins on nanoseconds since the epoch. time.now_ns is fixed for one query. */
import { fromBigInt, toBigInt } from '../number';
import { type Value } from '../value';
import { int, num, str } from './operands';
import { builtinError, register, typeError } from './registry';
import { NS_PER_SEC, WEEKDAYS, daysIn, fromCivil, toCivil, weekday } from './time-calendar';
import { NAMED_LAYOUTS, formatTime, parseTime } from './time-layout';

const MAX_NS = 9223372036854775807n;
const MIN_NS = -9223372036854775808n;

function nsResult(ns: bigint): Value {
  if (ns > MAX_NS || ns < MIN_NS) throw builtinError('time outside of int64 range');
  return fromBigInt(ns);
}

function nsOperand(v: Value, pos: number): bigint {
  const n = num(v, pos);
  const i = toBigInt(n);
  if (i !== undefined) return i;
  return BigInt(Math.trunc(typeof n === 'number' ? n : Number(n.text)));
}

/** ns, or [ns, tz], or [ns, tz, layout]. */
function timeOperand(v: Value, pos: number): { ns: bigint; tz: string; layout?: string } {
  if (Array.isArray(v)) {
    if (v.length < 1 || v.length > 3) throw builtinError('array must have 1 to 3 elements');
    return { ns: nsOperand(v[0], pos), tz: v.length > 1 ? str(v[1], pos) : 'UTC', layout: v.length > 2 ? str(v[2], pos) : undefined };
  }
  if (typeof v === 'number' || (v !== null && typeof v === 'object' && 'text' in v)) return { ns: nsOperand(v, pos), tz: 'UTC' };
  throw typeError(pos, v, 'number', 'array');
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

export function parseRfc3339(s: string): bigint {
  const m = RFC3339.exec(s);
  if (!m) throw builtinError(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59) throw builtinError(`parsing time ${JSON.stringify(s)}: value out of range`);
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  const offset = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60) : 0;
  return fromCivil(y, mo, d, h, mi, se, nanos, offset);
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1_000_000n, s: NS_PER_SEC, m: 60n * NS_PER_SEC, h: 3600n * NS_PER_SEC };

/** Go's time.ParseDuration. */
export function parseDuration(s: string): bigint {
  const orig = s;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw builtinError(`time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0n;
  const re = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw builtinError(`time: invalid duration ${JSON.stringify(orig)}`);
    const unit = UNITS[m[3]];
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    s = s.slice(m[0].length);
  }
  return neg ? -total : total;
}

register('time.now_ns', 0, (_args, ctx) => nsResult(ctx.nowNs));
register('time.parse_rfc3339_ns', 1, ([s]) => nsResult(parseRfc3339(str(s, 1))));
register('time.parse_ns', 2, ([l, v]) => {
  const layout = str(l, 1);
  return nsResult(parseTime(NAMED_LAYOUTS[layout] ?? layout, str(v, 2)));
});
register('time.parse_duration_ns', 1, ([s]) => nsResult(parseDuration(str(s, 1))));
register('time.date', 1, ([x]) => {
  const t = timeOperand(x, 1);
  const c = toCivil(t.ns, t.tz);
  return [c.year, c.month, c.day];
});
register('time.clock', 1, ([x]) => {
  const t = timeOperand(x, 1);
  const c = toCivil(t.ns, t.tz);
  return [c.hour, c.minute, c.second];
});
register('time.weekday', 1, ([x]) => {
  const t = timeOperand(x, 1);
  return WEEKDAYS[weekday(toCivil(t.ns, t.tz))];
});
register('time.format', 1, ([x]) => {
  const t = timeOperand(x, 1);
  const layout = t.layout === undefined ? NAMED_LAYOUTS.RFC3339Nano : (NAMED_LAYOUTS[t.layout] ?? t.layout);
  return formatTime(toCivil(t.ns, t.tz), layout);
});
register('time.add_date', 4, ([x, y, m, d]) => {
  const c = toCivil(nsOperand(x, 1), 'UTC');
  return nsResult(fromCivil(c.year + int(y, 2), c.month + int(m, 3), c.day + int(d, 4), c.hour, c.minute, c.second, c.nanos, 0));
});
register('time.diff', 2, ([a, b]) => {
  let t1 = nsOperand(Array.isArray(a) ? a[0] : a, 1);
  let t2 = nsOperand(Array.isArray(b) ? b[0] : b, 2);
  if (t1 > t2) [t1, t2] = [t2, t1];
  const c1 = toCivil(t1);
  const c2 = toCivil(t2);
  let year = c2.year - c1.year;
  let month = c2.month - c1.month;
  let day = c2.day - c1.day;
  let hour = c2.hour - c1.hour;
  let min = c2.minute - c1.minute;
  let sec = c2.second - c1.second;
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysIn(c1.year, c1.month);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, min, sec];
});

/** Test helper from OPA's suite: sleeps are not real here (the clock is fixed per query). */
register('test.sleep', 1, ([d]) => {
  parseDuration(str(d, 1));
  return true;
}, { void: true });
