/** units.parse (SI and binary suffixes, `m` for milli) and units.parse_bytes. */
import { multiply, numberFromText, roundNumber, type Num } from '../number';
import { str } from './operands';
import { builtinError, register } from './registry';

const SI: Record<string, string> = { '': '1', m: '0.001', k: '1000', K: '1000', M: '1000000', G: '1000000000', T: '1000000000000', P: '1000000000000000', E: '1000000000000000000' };
const BIN: Record<string, string> = { Ki: '1024', Mi: '1048576', Gi: '1073741824', Ti: '1099511627776', Pi: '1125899906842624', Ei: '1152921504606846976' };

function split(s: string, name: string): [Num, string] {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)$/.exec(s.trim().replace(/^"(.*)"$/, '$1'));
  if (!m) throw builtinError(`${name}: could not parse ${JSON.stringify(s)}`);
  const text = m[1].replace(/^\+/, '').replace(/^(-?)\./, '$10.').replace(/\.(?=$|[eE])/, '');
  return [numberFromText(text), m[2]];
}

register('units.parse', 1, ([v]) => {
  const [n, unit] = split(str(v, 1), 'units.parse');
  const factor = SI[unit] ?? BIN[unit];
  if (factor === undefined) throw builtinError(`units.parse: unknown unit ${JSON.stringify(unit)}`);
  return multiply(n, numberFromText(factor));
});

const BYTES: Record<string, string> = { '': '1', b: '1' };
for (const [k, v] of Object.entries(SI)) if (k !== '' && k !== 'm' && k !== 'K') {
  BYTES[k.toLowerCase()] = v;
  BYTES[`${k.toLowerCase()}b`] = v;
}
for (const [k, v] of Object.entries(BIN)) {
  BYTES[k.toLowerCase()] = v;
  BYTES[`${k.toLowerCase()}b`] = v;
}

register('units.parse_bytes', 1, ([v]) => {
  const [n, unit] = split(str(v, 1), 'units.parse_bytes');
  const factor = BYTES[unit.toLowerCase()];
  if (factor === undefined) throw builtinError(`units.parse_bytes: unknown unit ${JSON.stringify(unit)}`);
  return roundNumber(multiply(n, numberFromText(factor)), 'floor');
});
