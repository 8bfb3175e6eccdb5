/** net.cidr_* over IPv4 and IPv6, with bigint addresses. */
import { SetValue, type Value } from '../value';
import { members, str } from './operands';
import { builtinError, register, typeError } from './registry';

interface Cidr {
  v6: boolean;
  addr: bigint;
  bits: number;
}

function parseIp(s: string): { v6: boolean; addr: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p, i) => p > 255 || (s.split('.')[i].length > 1 && s.split('.')[i].startsWith('0')))) return undefined;
    return { v6: false, addr: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let head = s;
  let tail: number[] = [];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const p = parseIp(v4[1]);
    if (!p) return undefined;
    tail = [Number(p.addr >> 16n), Number(p.addr & 0xffffn)];
    head = s.slice(0, s.length - v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (x: string) => (x === '' ? [] : x.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  const groups = halves.length === 2 ? [...left, ...new Array(8 - left.length - right.length - tail.length).fill(0), ...right, ...tail] : [...left, ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  return { v6: true, addr: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
}

function parseCidr(s: string, pos: number, allowIp = false): Cidr {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip || (slash < 0 && !allowIp)) throw builtinError(`invalid CIDR address: ${s}`);
  const max = ip.v6 ? 128 : 32;
  const bits = slash < 0 ? max : Number(s.slice(slash + 1));
  if (!/^\d+$/.test(slash < 0 ? String(max) : s.slice(slash + 1)) || bits > max) throw builtinError(`invalid CIDR address: ${s}`);
  void pos;
  return { v6: ip.v6, addr: ip.addr, bits };
}

function width(c: Cidr): number {
  return c.v6 ? 128 : 32;
}
function network(c: Cidr): bigint {
  const host = BigInt(width(c) - c.bits);
  return (c.addr >> host) << host;
}
function last(c: Cidr): bigint {
  return network(c) + (1n << BigInt(width(c) - c.bits)) - 1n;
}

function ipText(addr: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

register('net.cidr_is_valid', 1, ([s]) => {
  if (typeof s !== 'string') return false;
  try {
    parseCidr(s, 1);
    return true;
  } catch {
    return false;
  }
});
register('net.cidr_contains', 2, ([a, b]) => {
  const outer = parseCidr(str(a, 1), 1);
  const inner = parseCidr(str(b, 2), 2, true);
  if (outer.v6 !== inner.v6) return false;
  return network(inner) >= network(outer) && last(inner) <= last(outer) && inner.bits >= outer.bits;
});
register('net.cidr_intersects', 2, ([a, b]) => {
  const x = parseCidr(str(a, 1), 1);
  const y = parseCidr(str(b, 2), 2);
  if (x.v6 !== y.v6) return false;
  return network(x) <= last(y) && network(y) <= last(x);
});

/** Most addresses net.cidr_expand returns. */
export const MAX_EXPAND = 65536;

register('net.cidr_expand', 1, ([a], ctx) => {
  const c = parseCidr(str(a, 1), 1);
  const n = 1n << BigInt(width(c) - c.bits);
  if (n > BigInt(MAX_EXPAND)) throw builtinError(`CIDR ${String(a)} holds more than ${MAX_EXPAND} addresses`);
  ctx.charge(Number(n));
  const out = new SetValue();
  for (let i = 0n; i < n; i++) out.add(ipText(network(c) + i, c.v6));
  return out;
});

register('net.cidr_merge', 1, ([xs]) => {
  if (!Array.isArray(xs) && !(xs instanceof SetValue)) throw typeError(1, xs, 'array', 'set');
  const ranges: Cidr[] = members(xs, 1).map((x: Value) => {
    if (typeof x !== 'string') throw typeError(1, x, 'string');
    const c = parseCidr(x, 1, true);
    return { ...c, addr: network(c) };
  });
  const out = new SetValue();
  for (const v6 of [false, true]) {
    let list = ranges.filter((r) => r.v6 === v6).sort((p, q) => (network(p) < network(q) ? -1 : network(p) > network(q) ? 1 : p.bits - q.bits));
    // drop ranges contained in an earlier one
    const kept: Cidr[] = [];
    for (const r of list) if (!kept.some((k) => network(r) >= network(k) && last(r) <= last(k))) kept.push(r);
    list = kept;
    // merge sibling pairs until nothing changes
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = 0; i + 1 < list.length; i++) {
        const p = list[i];
        const q = list[i + 1];
        if (p.bits === q.bits && p.bits > 0 && last(p) + 1n === network(q)) {
          const parent = { v6, addr: network(p), bits: p.bits - 1 };
          if (network(parent) === network(p)) {
            list.splice(i, 2, parent);
            changed = true;
            break;
          }
        }
      }
    }
    for (const r of list) out.add(`${ipText(network(r), v6)}/${r.bits}`);
  }
  return out;
});
