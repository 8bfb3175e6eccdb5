import { WasmBundleException } from './wasm-bundle.exception';

/**
 * A small, strict reader for the tar archives inside OPA bundles (POSIX ustar, pax and GNU
 * headers, as Go's archive/tar and GNU tar write them). Pure: bytes in, regular files out.
 * Everything it does not understand is an error, never a guess: bad checksums, truncated
 * entries, links, devices, paths that climb out of the archive, duplicate paths, data after
 * the end-of-archive marker. Directories and pax global headers are skipped.
 */
export interface TarEntry {
  /** Normalised absolute path inside the archive: `/policy.wasm`, `/roles/data.json`. */
  path: string;
  /** A view into the archive's bytes (not a copy). */
  data: Uint8Array;
}

export interface TarLimits {
  /** Headers of any kind (files, directories, extended headers) the archive may hold. */
  maxEntries: number;
  /** Size of any one entry's data. */
  maxEntryBytes: number;
}

const BLOCK = 512;
const MAX_PATH_CHARS = 4096;
/** pax and GNU long-name headers carry a few records; anything bigger is not a real archive. */
const MAX_META_BYTES = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type EntryType = 'file' | 'directory' | 'pax' | 'pax-global' | 'gnu-long-name' | 'gnu-long-link';

interface Header {
  name: string;
  size: number;
  type: EntryType;
}

interface Overrides {
  path?: string;
  size?: number;
}

export function readTar(archive: Uint8Array, limits: TarLimits): TarEntry[] {
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  let overrides: Overrides = {};
  let offset = 0;
  let headers = 0;
  for (;;) {
    if (offset === archive.length) throw malformed('the archive ends without its end-of-archive marker');
    if (offset + BLOCK > archive.length) throw malformed(`truncated header at byte ${offset}`);
    const block = archive.subarray(offset, offset + BLOCK);
    if (isZero(block)) {
      checkTrailer(archive, offset + BLOCK);
      break;
    }
    if (++headers > limits.maxEntries) {
      throw new WasmBundleException('too-large', `the archive holds more than ${limits.maxEntries} entries`);
    }
    const header = parseHeader(block, offset);
    const data = entryData(archive, offset + BLOCK, header, limits);
    offset += BLOCK + roundUp(header.size);
    overrides = applyEntry(header, data, overrides, entries, seen);
  }
  if (overrides.path !== undefined || overrides.size !== undefined) {
    throw malformed('an extended header is not followed by an entry');
  }
  return entries;
}

/** Handles one parsed header; returns the overrides that apply to the next header. */
function applyEntry(
  header: Header,
  data: Uint8Array,
  overrides: Overrides,
  entries: TarEntry[],
  seen: Set<string>,
): Overrides {
  switch (header.type) {
    case 'pax':
      return { ...overrides, ...parsePax(data) };
    case 'gnu-long-name':
      return { ...overrides, path: decodeName(cString(data)) };
    case 'pax-global':
    case 'gnu-long-link':
      return overrides;
    case 'directory':
      normalizePath(overrides.path ?? header.name);
      return {};
    case 'file': {
      if (overrides.size !== undefined && overrides.size !== header.size) {
        throw malformed(`the pax size of ${JSON.stringify(header.name)} disagrees with its header`);
      }
      const path = normalizePath(overrides.path ?? header.name);
      if (path === '/') throw malformed('a file entry has an empty name');
      if (seen.has(path)) throw new WasmBundleException('unsafe-entry', `the archive holds ${path} more than once`);
      seen.add(path);
      entries.push({ path, data });
      return {};
    }
  }
}

function entryData(archive: Uint8Array, start: number, header: Header, limits: TarLimits): Uint8Array {
  if (header.type !== 'file' && header.type !== 'directory' && header.size > MAX_META_BYTES) {
    throw malformed(`extended header ${JSON.stringify(header.name)} is ${header.size} bytes; the limit is ${MAX_META_BYTES}`);
  }
  if (header.size > limits.maxEntryBytes) {
    throw new WasmBundleException(
      'too-large',
      `entry ${JSON.stringify(header.name)} is ${header.size} bytes; the limit is ${limits.maxEntryBytes}`,
    );
  }
  const end = start + header.size;
  if (end > archive.length) throw malformed(`entry ${JSON.stringify(header.name)} is truncated`);
  return archive.subarray(start, end);
}

function parseHeader(block: Uint8Array, offset: number): Header {
  verifyChecksum(block, offset);
  const magic = ascii(block.subarray(257, 265));
  const ustar = magic === 'ustar\u000000';
  const gnu = magic === 'ustar  \u0000';
  if (!ustar && !gnu) throw malformed(`the header at byte ${offset} is not a POSIX (ustar) or GNU tar header`);
  let name = decodeName(cString(block.subarray(0, 100)));
  const prefix = ustar ? decodeName(cString(block.subarray(345, 500))) : '';
  if (prefix !== '') name = `${prefix}/${name}`;
  const size = parseOctal(block.subarray(124, 136), 'size', offset);
  return { name, size, type: entryType(block[156], name) };
}

function entryType(flag: number, name: string): EntryType {
  const c = String.fromCharCode(flag);
  switch (c) {
    case '0':
    case '\u0000':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case 'x':
      return 'pax';
    case 'g':
      return 'pax-global';
    case 'L':
      return 'gnu-long-name';
    case 'K':
      return 'gnu-long-link';
    case '1':
    case '2':
      throw new WasmBundleException('unsafe-entry', `entry ${JSON.stringify(name)} is a link; bundles may hold only files`);
    case '3':
    case '4':
    case '6':
      throw new WasmBundleException('unsafe-entry', `entry ${JSON.stringify(name)} is a device or FIFO`);
    default:
      throw malformed(`entry ${JSON.stringify(name)} has the unsupported type ${JSON.stringify(c)}`);
  }
}

function verifyChecksum(block: Uint8Array, offset: number): void {
  const stored = parseOctal(block.subarray(148, 156), 'checksum', offset);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) {
    throw malformed(`bad header checksum at byte ${offset} (stored ${stored}, computed ${unsigned})`);
  }
}

/** Octal number, optionally padded with leading spaces and ended by NUL or space. */
function parseOctal(field: Uint8Array, what: string, offset: number): number {
  if (field[0] & 0x80) throw malformed(`the ${what} at byte ${offset} uses base-256 encoding, which bundles never need`);
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++;
  let value = 0;
  for (; i < field.length && field[i] >= 0x30 && field[i] <= 0x37; i++) value = value * 8 + (field[i] - 0x30);
  for (; i < field.length; i++) {
    if (field[i] !== 0 && field[i] !== 0x20) throw malformed(`the ${what} field at byte ${offset} is not an octal number`);
  }
  return value;
}

/** pax extended header records: `<length> <key>=<value>\n`, length counting the whole record. */
function parsePax(data: Uint8Array): Overrides {
  const out: Overrides = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const lenText = space > pos && space - pos <= 10 ? ascii(data.subarray(pos, space)) : '';
    if (!/^[1-9][0-9]{0,9}$/.test(lenText)) throw malformed('a pax record has a bad length');
    const end = pos + Number(lenText);
    if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a) throw malformed('a pax record is malformed');
    const record = decodeName(data.subarray(space + 1, end - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) throw malformed('a pax record has no key');
    applyPaxRecord(record.slice(0, eq), record.slice(eq + 1), out);
    pos = end;
  }
  return out;
}

function applyPaxRecord(key: string, value: string, out: Overrides): void {
  if (key === 'path') out.path = value;
  if (key === 'size') {
    if (!/^[0-9]{1,15}$/.test(value)) throw malformed('a pax size record is not a number');
    out.size = Number(value);
  }
}

/** `/a/b` from `a/b`, `./a/b`, `/a//b/`; refuses `..`, control characters and backslashes. */
function normalizePath(raw: string): string {
  if (raw.length > MAX_PATH_CHARS) throw malformed('an entry path is longer than 4096 characters');
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) {
    throw new WasmBundleException('unsafe-entry', `entry path ${JSON.stringify(raw)} holds control characters or backslashes`);
  }
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new WasmBundleException('unsafe-entry', `entry path ${JSON.stringify(raw)} climbs out of the bundle`);
  }
  return `/${parts.join('/')}`;
}

/** After the first zero block only zeros may follow (the second marker block and record padding). */
function checkTrailer(archive: Uint8Array, from: number): void {
  for (let i = from; i < archive.length; i++) {
    if (archive[i] !== 0) throw malformed('data follows the end-of-archive marker');
  }
}

function decodeName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformed('an entry name is not valid UTF-8');
  }
}

function cString(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul === -1 ? bytes : bytes.subarray(0, nul);
}

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function isZero(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function roundUp(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function malformed(message: string): WasmBundleException {
  return new WasmBundleException('malformed-tar', message);
}
