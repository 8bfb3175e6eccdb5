import { describe, expect, it } from 'vitest';
import { hashAlgoOf, readHeaders, splitCommitSignature, splitTagSignature } from './git-signed-object';

const b = (s: string) => Buffer.from(s);
const HEAD = 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n';

describe('splitCommitSignature (git parse_buffer_signed_by_header)', () => {
  it.each([
    ['unsigned', `${HEAD}\nmsg\n`, 'sha1', `${HEAD}\nmsg\n`, null],
    ['gpgsig with continuations', `${HEAD}gpgsig S1\n S2\n \n S3\n\nmsg\n`, 'sha1', `${HEAD}\nmsg\n`, 'S1\nS2\n\nS3\n'],
    ['other format removed', `${HEAD}gpgsig-sha256 X1\n X2\ngpgsig S1\n S2\n\nm`, 'sha1', `${HEAD}\nm`, 'S1\nS2\n'],
    ['sha256 reads its own header', `${HEAD}gpgsig O\n O2\ngpgsig-sha256 S\n\nm`, 'sha256', `${HEAD}\nm`, 'S\n'],
    ['any gpgsig* header is dropped', `${HEAD}gpgsigfoo bar\n baz\nx-other keep\n\nm`, 'sha1', `${HEAD}x-other keep\n\nm`, null],
    ['headers after the signature are kept', `${HEAD}gpgsig S\nmergetag object x\n type y\n\nm`, 'sha1', `${HEAD}mergetag object x\n type y\n\nm`, 'S\n'],
    ['message bytes are never parsed', `${HEAD}\ngpgsig in message\n continuation\n`, 'sha1', `${HEAD}\ngpgsig in message\n continuation\n`, null],
    ['two signature headers concatenate', `${HEAD}gpgsig A\ngpgsig B\n\nm`, 'sha1', `${HEAD}\nm`, 'A\nB\n'],
    ['no message, no trailing newline', `${HEAD}gpgsig S`, 'sha1', HEAD, 'S'],
  ] as const)('%s', (_, raw, algo, payload, signature) => {
    const split = splitCommitSignature(b(raw), algo);
    expect(split.payload.toString()).toBe(payload);
    expect(split.signature?.toString() ?? null).toBe(signature);
  });

  it('is binary-safe', () => {
    const raw = Buffer.concat([b(`${HEAD}gpgsig S\n\n`), Buffer.from([0, 255, 10, 0])]);
    const split = splitCommitSignature(raw, 'sha1');
    expect(split.payload.equals(Buffer.concat([b(`${HEAD}\n`), Buffer.from([0, 255, 10, 0])]))).toBe(true);
  });
});

describe('splitTagSignature (git parse_signed_buffer + remove_signature)', () => {
  const TAG = 'object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\ntagger T <t@x> 1 +0000\n';
  it('takes the last line that starts a signature of any format', () => {
    const raw = `${TAG}\nmsg\n-----BEGIN PGP SIGNATURE-----\nnot this\n-----BEGIN SSH SIGNATURE-----\nthis\n`;
    const split = splitTagSignature(b(raw));
    expect(split.signature?.toString()).toBe('-----BEGIN SSH SIGNATURE-----\nthis\n');
    expect(split.payload.toString()).toBe(`${TAG}\nmsg\n-----BEGIN PGP SIGNATURE-----\nnot this\n`);
  });

  it('removes a gpgsig-sha256 header from the payload', () => {
    const raw = `${TAG}gpgsig-sha256 X\n Y\n\nmsg\n-----BEGIN PGP SIGNATURE-----\nS\n`;
    expect(splitTagSignature(b(raw)).payload.toString()).toBe(`${TAG}\nmsg\n`);
  });

  it('an unsigned tag is all payload', () => {
    expect(splitTagSignature(b(`${TAG}\nmsg\n`))).toEqual({ payload: b(`${TAG}\nmsg\n`), signature: null });
  });
});

describe('readHeaders', () => {
  it('unfolds continuation lines and keeps the body', () => {
    const { headers, body } = readHeaders(b('a 1\nb x\n y\n \n z\nc\n\nbody\n\nmore'));
    expect(headers.map((h) => [h.name, h.value.toString()])).toEqual([
      ['a', '1'],
      ['b', 'x\ny\n\nz'],
      ['c', ''],
    ]);
    expect(body.toString()).toBe('body\n\nmore');
  });

  it('refuses a leading continuation line', () => {
    expect(() => readHeaders(b(' x\n\n'))).toThrow();
  });

  it('tells object formats apart by id length', () => {
    expect(hashAlgoOf('a'.repeat(40))).toBe('sha1');
    expect(hashAlgoOf('a'.repeat(64))).toBe('sha256');
  });
});
