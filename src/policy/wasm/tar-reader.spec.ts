import { describe, expect, it } from 'vitest';
import { buildTar, concat, paxHeader, type TarSpec } from '../../../test/policy-wasm/support/tar-builder';
import { readTar } from './tar-reader';
import { WasmBundleException } from './wasm-bundle.exception';

const limits = { maxEntries: 100, maxEntryBytes: 1 << 20 };
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function read(entries: TarSpec[], options?: Parameters<typeof buildTar>[1], lim = limits) {
  return readTar(buildTar(entries, options), lim).map((e) => ({ path: e.path, data: text(e.data) }));
}

function failure(fn: () => unknown): WasmBundleException {
  try {
    fn();
  } catch (err) {
    if (err instanceof WasmBundleException) return err;
    throw err;
  }
  throw new Error('expected a WasmBundleException');
}

describe('readTar', () => {
  it('reads regular files, normalises paths and skips directories', () => {
    expect(
      read([
        { name: './', type: '5' },
        { name: '/policy.wasm', data: 'wasm' },
        { name: './roles/', type: '5' },
        { name: './roles//bindings/./data.json', data: '{}' },
        { name: 'empty', data: '' },
      ]),
    ).toEqual([
      { path: '/policy.wasm', data: 'wasm' },
      { path: '/roles/bindings/data.json', data: '{}' },
      { path: '/empty', data: '' },
    ]);
  });

  it('reads data that spans several blocks and pads to the next block', () => {
    const big = 'x'.repeat(1300);
    expect(read([{ name: 'a', data: big }, { name: 'b', data: 'after' }])).toEqual([
      { path: '/a', data: big },
      { path: '/b', data: 'after' },
    ]);
  });

  it('joins the ustar prefix field, and honours GNU long names and pax paths', () => {
    const long = `${'d'.repeat(120)}/data.json`;
    expect(
      read([
        { name: 'data.json', prefix: 'deep/folder', data: '1' },
        { name: '././@LongLink', type: 'L', magic: 'gnu', data: `gnu/${long}\0` },
        { name: 'truncated-name', magic: 'gnu', data: '2' },
        paxHeader({ path: `pax/${long}`, mtime: '1700000000.5' }),
        { name: 'short', data: '3' },
      ]),
    ).toEqual([
      { path: '/deep/folder/data.json', data: '1' },
      { path: `/gnu/${long}`, data: '2' },
      { path: `/pax/${long}`, data: '3' },
    ]);
  });

  it('ignores pax global headers', () => {
    expect(read([{ name: 'g', type: 'g', data: '22 comment=something\n' }, { name: 'a', data: 'x' }])).toEqual([
      { path: '/a', data: 'x' },
    ]);
  });

  it('accepts a single zero block at the end, as Go and GNU tar do', () => {
    expect(read([{ name: 'a', data: 'x' }], { endBlocks: 1 })).toEqual([{ path: '/a', data: 'x' }]);
  });

  it.each<[string, TarSpec[], Parameters<typeof buildTar>[1], RegExp]>([
    ['a bad header checksum', [{ name: 'a', data: 'x', checksum: 1234 }], {}, /checksum/],
    ['a truncated entry', [{ name: 'a', data: 'x', size: 5000 }], { endBlocks: 0 }, /truncated/],
    ['no end-of-archive marker', [{ name: 'a', data: 'x' }], { endBlocks: 0 }, /end-of-archive/],
    ['data after the end marker', [{ name: 'a', data: 'x' }], { trailing: new Uint8Array([1]) }, /follows the end/],
    ['a header without ustar magic', [{ name: 'a', data: 'x', magic: 'none' }], {}, /not a POSIX/],
    ['an unsupported entry type', [{ name: 'a', type: 'S' }], {}, /unsupported type/],
    ['a pax header with no entry after it', [paxHeader({ path: 'x' })], {}, /not followed/],
    ['a pax size that disagrees', [paxHeader({ size: '9' }), { name: 'a', data: 'x' }], {}, /disagrees/],
    ['a malformed pax record', [{ name: 'p', type: 'x', data: '99 path=x\n' }, { name: 'a' }], {}, /pax record/],
    ['a pax record without length', [{ name: 'p', type: 'x', data: 'path=x\n' }, { name: 'a' }], {}, /pax record/],
    ['an empty file name', [{ name: './', data: 'x' }], {}, /empty name/],
    ['an oversized extended header', [{ name: 'p', type: 'x', size: 2 << 20 }], { endBlocks: 0 }, /extended header/],
  ])('rejects %s', (_label, entries, options, message) => {
    const err = failure(() => readTar(buildTar(entries, options), limits));
    expect(err.code).toBe('malformed-tar');
    expect(err.message).toMatch(message);
  });

  it('rejects a size field that is not octal, or is base-256', () => {
    const archive = buildTar([{ name: 'a', data: 'x' }]);
    const notOctal = archive.slice();
    notOctal.set(new TextEncoder().encode('0000000009x'), 124);
    fixChecksum(notOctal);
    expect(failure(() => readTar(notOctal, limits)).message).toMatch(/not an octal number/);
    const base256 = archive.slice();
    base256[124] = 0x80;
    fixChecksum(base256);
    expect(failure(() => readTar(base256, limits)).message).toMatch(/base-256/);
  });

  it('rejects entry names that are not UTF-8', () => {
    const archive = buildTar([{ name: 'a', data: 'x' }]);
    archive[0] = 0xff;
    fixChecksum(archive);
    expect(failure(() => readTar(archive, limits)).message).toMatch(/UTF-8/);
  });

  it.each([
    ['../policy.wasm'],
    ['/../policy.wasm'],
    ['roles/../../etc/passwd'],
    ['a\\..\\b'],
    ['a\u0001b'],
  ])('refuses the path trick %j', (name) => {
    expect(failure(() => read([{ name, data: 'x' }])).code).toBe('unsafe-entry');
  });

  it('refuses a pax path that climbs out even when the header name is harmless', () => {
    expect(failure(() => read([paxHeader({ path: '../../x' }), { name: 'x', data: 'y' }])).code).toBe('unsafe-entry');
  });

  it.each([
    ['symbolic link', '2'],
    ['hard link', '1'],
    ['character device', '3'],
    ['FIFO', '6'],
  ])('refuses a %s', (_label, type) => {
    expect(failure(() => read([{ name: 'policy.wasm', type }])).code).toBe('unsafe-entry');
  });

  it('refuses a path given twice, however it is spelled', () => {
    const err = failure(() => read([{ name: '/policy.wasm', data: 'a' }, { name: './policy.wasm', data: 'b' }]));
    expect(err.code).toBe('unsafe-entry');
    expect(err.message).toContain('/policy.wasm more than once');
  });

  it('caps the number of entries and the size of each before reading data', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `d${i}/`, type: '5' }));
    expect(failure(() => read(many, {}, { maxEntries: 4, maxEntryBytes: 100 })).code).toBe('too-large');
    const huge = failure(() => read([{ name: 'a', size: 2 ** 33 - 1 }], { endBlocks: 0 }, limits));
    expect(huge.code).toBe('too-large');
    expect(huge.message).toContain('8589934591 bytes');
  });

  it('never fails with anything but a WasmBundleException on mutated archives', () => {
    const base = buildTar([
      paxHeader({ path: 'roles/data.json' }),
      { name: 'x', data: '{"a":1}' },
      { name: 'policy.wasm', data: 'x'.repeat(700) },
    ]);
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const mutated = base.slice(0, rand(4) === 0 ? rand(base.length) : base.length);
      for (let k = 0; k < 1 + rand(4); k++) mutated[rand(mutated.length)] = rand(256);
      if (rand(2) === 0) fixChecksum(mutated);
      try {
        readTar(mutated, limits);
      } catch (err) {
        expect(err).toBeInstanceOf(WasmBundleException);
      }
    }
  });

  it('reads an archive whose blocks follow a non-aligned view', () => {
    const archive = buildTar([{ name: 'a', data: 'x' }]);
    const shifted = concat([new Uint8Array(3), archive]).subarray(3);
    expect(readTar(shifted, limits).map((e) => e.path)).toEqual(['/a']);
  });
});

function fixChecksum(archive: Uint8Array): void {
  if (archive.length < 512) return;
  let sum = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += archive[i];
  archive.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
}
