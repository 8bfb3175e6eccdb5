import { describe, expect, it } from 'vitest';
import { CronError, cronMatches, parseCron, type LocalTime } from './cron';

const at = (minute: number, hour: number, day: number, month: number, weekday: number): LocalTime => ({ minute, hour, day, month, weekday });

describe('cron expressions', () => {
  const cases: Array<[string, LocalTime, boolean]> = [
    ['* * * * *', at(17, 3, 9, 5, 2), true],
    ['0 22 * * *', at(0, 22, 1, 1, 0), true],
    ['0 22 * * *', at(1, 22, 1, 1, 0), false],
    ['*/15 * * * *', at(45, 1, 1, 1, 1), true],
    ['*/15 * * * *', at(46, 1, 1, 1, 1), false],
    ['5-10/5 * * * *', at(10, 0, 1, 1, 1), true],
    ['5/20 * * * *', at(45, 0, 1, 1, 1), true],
    ['5/20 * * * *', at(40, 0, 1, 1, 1), false],
    ['0 9 * * mon-fri', at(0, 9, 3, 6, 1), true],
    ['0 9 * * MON-FRI', at(0, 9, 7, 6, 6), false],
    ['0 0 * * 7', at(0, 0, 7, 6, 0), true],
    ['0 0 1 jan *', at(0, 0, 1, 1, 4), true],
    ['0 0 1,15 * *', at(0, 0, 15, 3, 2), true],
    // both day fields restricted: either matches (Vixie cron)
    ['0 0 13 * 5', at(0, 0, 13, 3, 1), true],
    ['0 0 13 * 5', at(0, 0, 2, 3, 5), true],
    ['0 0 13 * 5', at(0, 0, 2, 3, 4), false],
    // only weekday restricted: day of month is not consulted
    ['0 0 * * 5', at(0, 0, 13, 3, 1), false],
    ['@daily', at(0, 0, 4, 4, 4), true],
    ['@hourly', at(0, 13, 4, 4, 4), true],
    ['@weekly', at(0, 0, 4, 4, 1), false],
  ];
  it.each(cases)('%s at %o is %s', (expr, t, expected) => {
    expect(cronMatches(parseCron(expr), t)).toBe(expected);
  });

  const bad: Array<[string, RegExp]> = [
    ['* * * *', /expected 5 fields/],
    ['60 * * * *', /minute: 60 is outside 0-59/],
    ['* 24 * * *', /hour: 24/],
    ['* * 0 * *', /day of month: 0/],
    ['* * * 13 *', /month: 13/],
    ['* * * * 8', /day of week: 8/],
    ['*/0 * * * *', /step "0"/],
    ['5-1 * * * *', /runs backwards/],
    ['x * * * *', /minute: "x" is not a number/],
    ['* * * foo *', /month: "foo" is not a number or a name/],
    ['@sometimes', /unknown macro/],
    ['1,,2 * * * *', /not a valid item/],
  ];
  it.each(bad)('refuses %s', (expr, message) => {
    expect(() => parseCron(expr)).toThrow(CronError);
    expect(() => parseCron(expr)).toThrow(message);
  });
});
