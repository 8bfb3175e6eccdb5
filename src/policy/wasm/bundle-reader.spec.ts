import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTarGz, type TarSpec } from '../../../test/policy-wasm/support/tar-builder';
import { readBundle, readBundleFile, type BundleLimits } from './bundle-reader';
import { WasmBundleException, type WasmBundleErrorCode } from './wasm-bundle.exception';

const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const limits: BundleLimits = { maxBundleBytes: 1 << 20, maxUnpackedBytes: 1 << 20, maxEntries: 100 };
const tmp = mkdtempSync(join(tmpdir(), 'gitseal-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const withPolicy = (...entries: TarSpec[]): Uint8Array =>
  buildTarGz([{ name: '/policy.wasm', data: WASM }, ...entries]);

async function failure(promise: Promise<unknown>): Promise<WasmBundleException> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WasmBundleException) return err;
    throw err;
  }
  throw new Error('expected a WasmBundleException');
}

async function expectFailure(bytes: Uint8Array, code: WasmBundleErrorCode, message: RegExp, lim = limits) {
  const err = await failure(readBundle(bytes, lim));
  expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.stringMatching(message) });
}

describe('readBundle', () => {
  it('reads an opa build bundle: module, data, manifest, files and digest', async () => {
    const bytes = withPolicy(
      { name: '/data.json', data: '{"gitseal":{"max":3}}' },
      { name: '/gitseal/policy.rego', data: 'package gitseal' },
      { name: '/.manifest', data: '{"revision":"r1","roots":["gitseal"],"wasm":[{"entrypoint":"gitseal","module":"/policy.wasm"}]}' },
    );
    const bundle = await readBundle(bytes, limits);
    expect(bundle.format).toBe('tar.gz');
    expect(bundle.digest).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Array.from(bundle.wasm)).toEqual(Array.from(WASM));
    expect(bundle.data).toEqual({ gitseal: { max: 3 } });
    expect(bundle.manifest).toEqual({ revision: 'r1', roots: ['gitseal'], wasm: [{ entrypoint: 'gitseal', module: '/policy.wasm' }] });
    expect(bundle.files.map((f) => [f.path, f.bytes])).toEqual([
      ['/policy.wasm', 8],
      ['/data.json', 21],
      ['/gitseal/policy.rego', 15],
      ['/.manifest', 95],
    ]);
    expect(bundle.files[0].sha256).toBe(createHash('sha256').update(WASM).digest('hex'));
  });

  it('takes a bare wasm module as a bundle with no data', async () => {
    const bundle = await readBundle(WASM, limits);
    expect(bundle).toMatchObject({ format: 'wasm', wasm: WASM, data: {}, manifest: null });
    expect(bundle.files.map((f) => f.path)).toEqual(['/policy.wasm']);
  });

  it.each(['ustar', 'gnu', 'pax'])('reads archives GNU tar writes in %s format', async (format) => {
    const dir = join(tmp, `tar-${format}`);
    // Past the 100-byte name field: ustar splits it into its prefix field, gnu and pax use long-name entries.
    const long = 'x'.repeat(format === 'ustar' ? 90 : 110);
    mkdirSync(join(dir, 'roles', long), { recursive: true });
    writeFileSync(join(dir, 'policy.wasm'), WASM);
    writeFileSync(join(dir, 'roles', long, 'data.yaml'), 'admins: [alice]\n');
    writeFileSync(join(dir, 'data.json'), '{"top":true}');
    const archive = execFileSync('tar', [`--format=${format}`, '-czf', '-', '-C', dir, '.']);
    const bundle = await readBundle(archive, limits);
    expect(Array.from(bundle.wasm)).toEqual(Array.from(WASM));
    expect(bundle.data).toEqual({ top: true, roles: { [long]: { admins: ['alice'] } } });
  });

  it('refuses input that is neither wasm nor gzip', async () => {
    await expectFailure(new TextEncoder().encode('package gitseal'), 'unknown-format', /neither a wasm module nor/);
    await expectFailure(new Uint8Array(0), 'unknown-format', /neither/);
  });

  it('refuses a bundle without /policy.wasm, or with a module elsewhere', async () => {
    await expectFailure(buildTarGz([{ name: 'data.json', data: '{}' }]), 'missing-policy', /no \/policy\.wasm/);
    await expectFailure(withPolicy({ name: 'other/policy.wasm', data: WASM }), 'invalid-wasm', /holds \/other\/policy\.wasm/);
    await expectFailure(buildTarGz([{ name: 'Policy.wasm', data: WASM }]), 'missing-policy', /no \/policy\.wasm/);
  });

  it('refuses corrupt and truncated gzip', async () => {
    const good = withPolicy({ name: 'data.json', data: '{"a":1}' });
    const flipped = good.slice();
    flipped[good.length - 6] ^= 0xff; // inside the CRC-32 / length trailer
    await expectFailure(flipped, 'corrupt-gzip', /corrupt/);
    await expectFailure(good.subarray(0, good.length - 12), 'corrupt-gzip', /corrupt/);
    const badHeader = good.slice();
    badHeader[2] = 0x07; // compression method other than deflate
    await expectFailure(badHeader, 'corrupt-gzip', /corrupt/);
  });

  it('caps the bundle size, the unpacked size (gzip bombs) and the entry count', async () => {
    await expectFailure(withPolicy(), 'too-large', /limit is 20$/, { ...limits, maxBundleBytes: 20 });
    const bomb = gzipSync(new Uint8Array(8 << 20));
    expect(bomb.length).toBeLessThan(20_000);
    await expectFailure(bomb, 'too-large', /unpacks to more than 1048576 bytes/);
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: '' }));
    await expectFailure(withPolicy(...many), 'too-large', /more than 10 entries/, { ...limits, maxEntries: 10 });
  });

  it('refuses a compressed archive with a bad tar checksum or a path trick', async () => {
    await expectFailure(withPolicy({ name: 'data.json', data: '{}', checksum: 7 }), 'malformed-tar', /checksum/);
    await expectFailure(withPolicy({ name: '../../policy.wasm', data: WASM }), 'unsafe-entry', /climbs out/);
    await expectFailure(withPolicy({ name: 'policy.wasm', type: '2' }), 'unsafe-entry', /link/);
  });
});

describe('bundle manifest', () => {
  it.each([
    ['not JSON', '{revision', /not valid UTF-8 JSON/],
    ['not an object', '[]', /must be a JSON object/],
    ['a non-string revision', '{"revision":7}', /"revision" must be a string/],
    ['roots that are not strings', '{"roots":[1]}', /"roots" must be an array of strings/],
    ['overlapping roots', '{"roots":["a/b","a"]}', /overlap/],
    ['a malformed wasm list', '{"wasm":[{"entrypoint":1}]}', /wasm\[0\]/],
    ['another wasm module', '{"wasm":[{"entrypoint":"x","module":"/x/policy.wasm"}]}', /lists the wasm module \/x\/policy\.wasm/],
  ])('refuses %s', async (_label, manifest, message) => {
    await expectFailure(withPolicy({ name: '.manifest', data: manifest }), 'bad-manifest', message);
  });

  it('accepts the module path without a leading slash, and unknown fields', async () => {
    const manifest = '{"revision":"","rego_version":1,"wasm":[{"entrypoint":"gitseal","module":"policy.wasm"}],"metadata":{"a":1}}';
    const bundle = await readBundle(withPolicy({ name: '.manifest', data: manifest }), limits);
    expect(bundle.manifest).toEqual({ revision: '', wasm: [{ entrypoint: 'gitseal', module: '/policy.wasm' }], metadata: { a: 1 } });
  });
});

describe('bundle data', () => {
  const data = async (...entries: TarSpec[]) => (await readBundle(withPolicy(...entries), limits)).data;

  it('places data files at the path of their folder and merges them', async () => {
    expect(
      await data(
        { name: 'data.json', data: '{"roles":{"admins":["alice"]}}' },
        { name: 'roles/bindings/data.json', data: '[{"user":"bob"}]' },
        { name: 'config/data.yaml', data: 'mode: strict\nlimits:\n  cpu: 2\n' },
        { name: 'notes/readme.json', data: 'ignored, not a data file' },
      ),
    ).toEqual({ roles: { admins: ['alice'], bindings: [{ user: 'bob' }] }, config: { mode: 'strict', limits: { cpu: 2 } } });
  });

  it('keeps __proto__ keys as data, never as a prototype', async () => {
    const result = await data({ name: 'data.json', data: '{"__proto__":{"polluted":true}}' }, { name: '__proto__/x/data.json', data: '1' });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse('{"__proto__":{"polluted":true,"x":1}}'));
  });

  it.each<[string, TarSpec[], RegExp]>([
    ['invalid JSON', [{ name: 'data.json', data: '{"a":' }], /\/data\.json: /],
    ['a root data file that is not an object', [{ name: 'data.json', data: '[1]' }], /must hold an object/],
    ['invalid UTF-8', [{ name: 'data.json', data: new Uint8Array([0x7b, 0xff, 0x7d]) }], /not valid UTF-8/],
    ['conflicting values', [{ name: 'data.json', data: '{"a":{"b":1}}' }, { name: 'a/b/data.json', data: '2' }], /conflicts with other data at "a\/b"/],
    ['a value under a scalar', [{ name: 'data.json', data: '{"a":1}' }, { name: 'a/b/data.json', data: '2' }], /conflicts with other data at "a"/],
    ['multiple YAML documents', [{ name: 'data.yaml', data: 'a: 1\n---\nb: 2\n' }], /data\.yaml: /],
    ['a YAML alias bomb', [{ name: 'data.yaml', data: yamlBomb() }], /data\.yaml: /],
    ['duplicate YAML keys', [{ name: 'data.yaml', data: 'a: 1\na: 2\n' }], /data\.yaml: /],
    ['YAML numbers JSON cannot hold', [{ name: 'data.yaml', data: 'a: .inf\n' }], /number JSON cannot represent/],
    ['deeply nested data', [{ name: 'data.json', data: `${'['.repeat(300)}${']'.repeat(300)}` }], /nests deeper than 256 levels/],
  ])('refuses %s', async (_label, entries, message) => {
    await expectFailure(withPolicy(...entries), 'bad-data', message);
  });

  it('enforces the manifest roots on data', async () => {
    const manifest = { name: '.manifest', data: '{"roots":["gitseal","teams/platform"]}' };
    expect(
      await data(manifest, { name: 'data.json', data: '{"gitseal":{"a":1},"teams":{"platform":{"b":2}}}' }, { name: 'teams/platform/x/data.json', data: '3' }),
    ).toEqual({ gitseal: { a: 1 }, teams: { platform: { b: 2, x: 3 } } });
    await expectFailure(withPolicy(manifest, { name: 'data.json', data: '{"other":1}' }), 'bad-data', /"other" lies outside/);
    await expectFailure(withPolicy(manifest, { name: 'data.json', data: '{"teams":{"sales":1}}' }), 'bad-data', /"teams\/sales" lies outside/);
    await expectFailure(withPolicy(manifest, { name: 'teams/data.json', data: '5' }), 'bad-data', /"teams" lies outside/);
  });
});

describe('readBundleFile', () => {
  it('reads a regular file', async () => {
    const path = join(tmp, 'bundle.tar.gz');
    writeFileSync(path, withPolicy());
    expect(await readBundleFile(path, limits.maxBundleBytes)).toEqual(Buffer.from(withPolicy()));
  });

  it('refuses missing files, folders and files over the limit', async () => {
    expect((await failure(readBundleFile(join(tmp, 'missing.tar.gz'), 100))).message).toMatch(/cannot open policy bundle .*ENOENT/);
    expect((await failure(readBundleFile(tmp, 100))).message).toMatch(/is not a regular file/);
    const path = join(tmp, 'big.wasm');
    writeFileSync(path, new Uint8Array(101));
    const err = await failure(readBundleFile(path, 100));
    expect([err.code, err.message]).toEqual(['too-large', `policy bundle ${path} is 101 bytes; the limit is 100`]);
  });
});

function yamlBomb(): string {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) lines.push(`${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(9).fill(`*${i === 1 ? 'a' : 'b'.repeat(i - 1)}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
}
