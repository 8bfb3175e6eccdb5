import { gzipSync } from 'node:zlib';

/**
 * Writes tar archives for tests, well-formed by default (POSIX ustar, as Go's archive/tar writes
 * OPA bundles) and broken on request, so the reader can be tested against both.
 */
export interface TarSpec {
  name: string;
  data?: Uint8Array | string;
  /** Type flag character: '0' file (default), '5' directory, 'x' pax, '2' symlink, … */
  type?: string;
  prefix?: string;
  magic?: 'ustar' | 'gnu' | 'none';
  /** Store this checksum instead of the right one. */
  checksum?: number;
  /** Store this size in the header instead of the data's length. */
  size?: number;
}

export interface TarOptions {
  /** Zero blocks written at the end (default 2). */
  endBlocks?: number;
  /** Bytes appended after the end blocks. */
  trailing?: Uint8Array;
}

const BLOCK = 512;
const enc = new TextEncoder();

export function buildTar(entries: TarSpec[], options: TarOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const spec of entries) {
    const data = typeof spec.data === 'string' ? enc.encode(spec.data) : (spec.data ?? new Uint8Array(0));
    parts.push(header(spec, data.length), data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(BLOCK * (options.endBlocks ?? 2)));
  if (options.trailing) parts.push(options.trailing);
  return concat(parts);
}

export function buildTarGz(entries: TarSpec[], options: TarOptions = {}): Uint8Array {
  return gzipSync(buildTar(entries, options));
}

/** A pax extended header whose records apply to the next entry. */
export function paxHeader(records: Record<string, string>): TarSpec {
  let body = '';
  for (const [key, value] of Object.entries(records)) {
    const tail = ` ${key}=${value}\n`;
    let len = tail.length + 1;
    while (`${len}${tail}`.length !== len) len = `${len}${tail}`.length;
    body += `${len}${tail}`;
  }
  return { name: 'PaxHeaders/entry', type: 'x', data: body };
}

function header(spec: TarSpec, dataLength: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  put(h, 0, 100, spec.name);
  put(h, 100, 8, '0000644\0');
  put(h, 108, 8, '0000000\0');
  put(h, 116, 8, '0000000\0');
  put(h, 124, 12, `${(spec.size ?? dataLength).toString(8).padStart(11, '0')}\0`);
  put(h, 136, 12, '00000000000\0');
  h[156] = (spec.type ?? '0').charCodeAt(0);
  const magic = spec.magic ?? 'ustar';
  if (magic === 'ustar') put(h, 257, 8, 'ustar\u000000');
  if (magic === 'gnu') put(h, 257, 8, 'ustar  \u0000');
  if (spec.prefix) put(h, 345, 155, spec.prefix);
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += h[i];
  put(h, 148, 8, `${(spec.checksum ?? sum).toString(8).padStart(6, '0')}\0 `);
  return h;
}

function put(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = enc.encode(text);
  if (bytes.length > length) throw new Error(`${JSON.stringify(text)} does not fit in ${length} bytes`);
  block.set(bytes, offset);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
