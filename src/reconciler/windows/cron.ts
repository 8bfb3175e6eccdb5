/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), as Argo CD sync windows
 * and Vixie cron read them: `*`, lists, ranges, steps, month and weekday names, 7 as Sunday, and
 * the macros @yearly, @monthly, @weekly, @daily, @hourly. When both day fields are restricted a
 * day matches if either does. Pure; parse errors are thrown as CronError naming the field.
 */
export class CronError extends Error {}

export interface CronSchedule {
  readonly source: string;
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly days: readonly boolean[];
  readonly months: readonly boolean[];
  readonly weekdays: readonly boolean[];
  /** Whether the day-of-month / day-of-week field was `*` (or `?`), for the OR rule. */
  readonly anyDay: boolean;
  readonly anyWeekday: boolean;
}

export interface LocalTime {
  minute: number;
  hour: number;
  day: number; // 1..31
  month: number; // 1..12
  weekday: number; // 0..6, Sunday 0
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, namesFrom: 0 },
];

function value(text: string, spec: FieldSpec): number {
  const lower = text.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (spec.namesFrom ?? 0);
  if (!/^\d{1,2}$/.test(text)) throw new CronError(`${spec.name}: "${text}" is not a number${spec.names ? ' or a name' : ''}`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw new CronError(`${spec.name}: ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function parseItem(item: string, spec: FieldSpec, bits: boolean[]): void {
  const [range, stepText, extra] = item.split('/');
  if (extra !== undefined || range === '') throw new CronError(`${spec.name}: "${item}" is not a valid item`);
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d{1,2}$/.test(stepText) || Number(stepText) === 0) throw new CronError(`${spec.name}: step "${stepText}" must be a positive number`);
    step = Number(stepText);
  }
  let from: number;
  let to: number;
  if (range === '*' || range === '?') {
    from = spec.min;
    to = spec.max;
  } else if (range.includes('-')) {
    const [a, b, more] = range.split('-');
    if (more !== undefined) throw new CronError(`${spec.name}: "${range}" is not a valid range`);
    from = value(a, spec);
    to = value(b, spec);
    if (from > to) throw new CronError(`${spec.name}: range ${range} runs backwards`);
  } else {
    from = value(range, spec);
    to = stepText !== undefined ? spec.max : from;
  }
  for (let n = from; n <= to; n += step) bits[n] = true;
}

function parseField(text: string, spec: FieldSpec): boolean[] {
  const bits = new Array<boolean>(spec.max + 1).fill(false);
  for (const item of text.split(',')) parseItem(item, spec, bits);
  return bits;
}

export function parseCron(expression: string): CronSchedule {
  const source = expression.trim();
  if (source.length > 200) throw new CronError('the expression is longer than 200 characters');
  const expanded = MACROS[source.toLowerCase()] ?? source;
  if (expanded.startsWith('@')) throw new CronError(`unknown macro ${source}`);
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`);
  const [minutes, hours, days, months, weekdaysRaw] = parts.map((p, i) => parseField(p, FIELDS[i]));
  const weekdays = weekdaysRaw.slice(0, 7);
  if (weekdaysRaw[7]) weekdays[0] = true;
  const isAny = (p: string) => p === '*' || p === '?';
  return { source, minutes, hours, days, months, weekdays, anyDay: isAny(parts[2]), anyWeekday: isAny(parts[4]) };
}

export function cronMatches(s: CronSchedule, t: LocalTime): boolean {
  if (!s.minutes[t.minute] || !s.hours[t.hour] || !s.months[t.month]) return false;
  const day = s.days[t.day];
  const weekday = s.weekdays[t.weekday];
  if (s.anyDay && s.anyWeekday) return true;
  if (s.anyDay) return weekday;
  if (s.anyWeekday) return day;
  return day || weekday;
}
