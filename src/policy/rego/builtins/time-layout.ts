/** Go time layouts ("2006-01-02T15:04:05Z07:00") for time.parse_ns and time.format. */
import { MONTHS, WEEKDAYS, fromCivil, weekday, type Civil } from './time-calendar';
import { builtinError } from './registry';

export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

const TOKENS = ['January', 'Monday', 'Z07:00:00', '-07:00:00', 'Z07:00', '-07:00', 'Z0700', '-0700', 'Z07', '-07', '2006', 'Jan', 'Mon', 'MST', '002', '_2', '01', '02', '03', '04', '05', '06', '15', 'PM', 'pm', '1', '2', '3', '4', '5'];

type Token = { lit: string } | { tok: string };

export function tokenizeLayout(layout: string): Token[] {
  const out: Token[] = [];
  let lit = '';
  for (let i = 0; i < layout.length; ) {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (frac && (i === 0 || true)) {
      if (lit) out.push({ lit });
      lit = '';
      out.push({ tok: frac[0] });
      i += frac[0].length;
      continue;
    }
    const t = TOKENS.find((x) => layout.startsWith(x, i));
    if (t) {
      if (lit) out.push({ lit });
      lit = '';
      out.push({ tok: t });
      i += t.length;
    } else lit += layout[i++];
  }
  if (lit) out.push({ lit });
  return out;
}

const p2 = (n: number) => String(n).padStart(2, '0');

function offsetText(offset: number, tok: string): string {
  if (tok.startsWith('Z') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = p2(Math.floor(a / 3600));
  const m = p2(Math.floor(a / 60) % 60);
  const s = p2(a % 60);
  const t = tok.replace(/^Z/, '-');
  if (t === '-07') return sign + h;
  if (t === '-0700') return sign + h + m;
  if (t === '-07:00') return `${sign}${h}:${m}`;
  return `${sign}${h}:${m}:${s}`;
}

export function formatTime(c: Civil, layout: string): string {
  let out = '';
  for (const t of tokenizeLayout(layout)) {
    if ('lit' in t) {
      out += t.lit;
      continue;
    }
    const tok = t.tok;
    if (/^[.,]/.test(tok)) {
      const digits = String(c.nanos).padStart(9, '0').slice(0, tok.length - 1);
      if (tok[1] === '9') {
        const trimmed = digits.replace(/0+$/, '');
        out += trimmed ? tok[0] + trimmed : '';
      } else out += tok[0] + digits;
      continue;
    }
    switch (tok) {
      case '2006': out += String(c.year).padStart(4, '0'); break;
      case '06': out += p2(c.year % 100); break;
      case 'January': out += MONTHS[c.month - 1]; break;
      case 'Jan': out += MONTHS[c.month - 1].slice(0, 3); break;
      case '01': out += p2(c.month); break;
      case '1': out += String(c.month); break;
      case 'Monday': out += WEEKDAYS[weekday(c)]; break;
      case 'Mon': out += WEEKDAYS[weekday(c)].slice(0, 3); break;
      case '02': out += p2(c.day); break;
      case '_2': out += String(c.day).padStart(2, ' '); break;
      case '2': out += String(c.day); break;
      case '002': out += String(dayOfYear(c)).padStart(3, '0'); break;
      case '15': out += p2(c.hour); break;
      case '03': out += p2(c.hour % 12 === 0 ? 12 : c.hour % 12); break;
      case '3': out += String(c.hour % 12 === 0 ? 12 : c.hour % 12); break;
      case '04': out += p2(c.minute); break;
      case '4': out += String(c.minute); break;
      case '05': out += p2(c.second); break;
      case '5': out += String(c.second); break;
      case 'PM': out += c.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += c.hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': out += c.offset === 0 ? 'UTC' : offsetText(c.offset, '-07'); break;
      default: out += offsetText(c.offset, tok);
    }
  }
  return out;
}

function dayOfYear(c: Civil): number {
  const start = fromCivil(c.year, 1, 1, 0, 0, 0, 0, 0);
  const now = fromCivil(c.year, c.month, c.day, 0, 0, 0, 0, 0);
  return Number((now - start) / 86_400_000_000_000n) + 1;
}

function fail(value: string, layout: string): never {
  throw builtinError(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`);
}

/** Parses value with a Go layout; returns nanoseconds since the epoch. */
export function parseTime(layout: string, value: string): bigint {
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let offset = 0;
  let pm: boolean | undefined;
  let i = 0;
  const num = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(value.slice(i));
    if (!m) fail(value, layout);
    i += m![0].length;
    return Number(m![0]);
  };
  const word = (list: string[], len?: number): number => {
    const idx = list.findIndex((w) => value.slice(i, i + (len ?? w.length)).toLowerCase() === (len ? w.slice(0, len) : w).toLowerCase());
    if (idx < 0) fail(value, layout);
    i += len ?? list[idx].length;
    return idx;
  };
  for (const t of tokenizeLayout(layout)) {
    if ('lit' in t) {
      if (!value.startsWith(t.lit, i)) fail(value, layout);
      i += t.lit.length;
      continue;
    }
    const tok = t.tok;
    if (/^[.,]/.test(tok)) {
      const m = /^[.,](\d+)/.exec(value.slice(i));
      if (m) {
        nanos = Number(m[1].slice(0, 9).padEnd(9, '0'));
        i += m[0].length;
      } else if (tok[1] === '0') fail(value, layout);
      continue;
    }
    switch (tok) {
      case '2006': year = num(4, 4); break;
      case '06': year = 2000 + num(2, 2); if (year >= 2069) year -= 100; break;
      case 'January': month = word(MONTHS) + 1; break;
      case 'Jan': month = word(MONTHS, 3) + 1; break;
      case '01': month = num(2, 2); break;
      case '1': month = num(1, 2); break;
      case 'Monday': word(WEEKDAYS); break;
      case 'Mon': word(WEEKDAYS, 3); break;
      case '02': day = num(2, 2); break;
      case '_2': if (value[i] === ' ') i++; day = num(1, 2); break;
      case '2': day = num(1, 2); break;
      case '002': num(3, 3); break;
      case '15': hour = num(1, 2); break;
      case '03': case '3': hour = num(tok.length, 2); break;
      case '04': case '4': minute = num(tok.length, 2); break;
      case '05': case '5': second = num(tok.length, 2); break;
      case 'PM': case 'pm': pm = word(['PM', 'AM']) === 0; break;
      case 'MST': { const m = /^[A-Z]{3,5}/.exec(value.slice(i)); if (!m) fail(value, layout); i += m![0].length; break; }
      default: {
        if (tok.startsWith('Z') && (value[i] === 'Z' || value[i] === 'z')) {
          i++;
          offset = 0;
          break;
        }
        const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(value.slice(i));
        if (!m) fail(value, layout);
        i += m![0].length;
        offset = (m![1] === '-' ? -1 : 1) * (Number(m![2]) * 3600 + Number(m![3] ?? 0) * 60 + Number(m![4] ?? 0));
      }
    }
  }
  if (i !== value.length) throw builtinError(`parsing time ${JSON.stringify(value)}: extra text`);
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) throw builtinError(`parsing time ${JSON.stringify(value)}: value out of range`);
  return fromCivil(year, month, day, hour, minute, second, nanos, offset);
}
