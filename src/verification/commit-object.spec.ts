import { describe, expect, it } from 'vitest';
import { parseCommit, parsePerson, parseTag } from './commit-object';

const T = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const P = 'a'.repeat(40);
const b = (s: string) => Buffer.from(s);

describe('parseCommit', () => {
  it('parses headers, people, parents, unknown headers and the message', () => {
    const raw = `tree ${T}\nparent ${P}\nparent ${'b'.repeat(40)}\nauthor Ann Example <ann@x.org> 1700000000 +0130\ncommitter Bo <bo@x.org> 1700003600 -0800\nx-extra v\n cont\n\nSubject\n\nBody\n`;
    const c = parseCommit(b(raw), 'sha1');
    expect(c.tree).toBe(T);
    expect(c.parents).toEqual([P, 'b'.repeat(40)]);
    expect(c.author).toEqual({ name: 'Ann Example', email: 'ann@x.org', time: '2023-11-14T22:13:20Z', zone: '+0130' });
    expect(c.committer.time).toBe('2023-11-14T23:13:20Z');
    expect(c.headers.find((h) => h.name === 'x-extra')?.value).toBe('v\ncont');
    expect(c.message).toBe('Subject\n\nBody\n');
    expect(c.signature).toBeNull();
  });

  it('decodes a declared encoding', () => {
    const raw = Buffer.concat([b(`tree ${T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nencoding ISO-8859-1\n\n`), Buffer.from([0xe9, 0x0a])]);
    expect(parseCommit(raw, 'sha1').message).toBe('é\n');
  });

  it.each([
    ['no tree', `author A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm`, /first header is not tree/],
    ['short tree id', `tree abc\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm`, /not a sha1 object id/],
    ['sha256 id in sha1 object', `tree ${'c'.repeat(64)}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm`, /not a sha1/],
    ['two trees', `tree ${T}\ntree ${T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm`, /2 tree headers/],
    ['late parent', `tree ${T}\nauthor A <a@x> 1 +0000\nparent ${P}\ncommitter A <a@x> 1 +0000\n\nm`, /parent headers not right after tree/],
    ['no committer', `tree ${T}\nauthor A <a@x> 1 +0000\n\nm`, /no committer header/],
    ['two authors', `tree ${T}\nauthor A <a@x> 1 +0000\nauthor B <b@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm`, /2 author/],
    ['bad date', `tree ${T}\nauthor A <a@x> soon +0000\ncommitter A <a@x> 1 +0000\n\nm`, /not "Name <email> seconds zone"/],
    ['bad zone', `tree ${T}\nauthor A <a@x> 1 +9900\ncommitter A <a@x> 1 +0000\n\nm`, /impossible zone/],
  ])('refuses %s', (_, raw, error) => {
    expect(() => parseCommit(b(raw), 'sha1')).toThrow(error);
  });

  it('carries mergetag headers as tag objects', () => {
    const raw = `tree ${T}\nparent ${P}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nmergetag object ${P}\n type commit\n tag v1\n tagger T <t@x> 1 +0000\n \n msg\n\nMerge\n`;
    const c = parseCommit(b(raw), 'sha1');
    expect(c.mergetags.map((t) => t.toString())).toEqual([`object ${P}\ntype commit\ntag v1\ntagger T <t@x> 1 +0000\n\nmsg\n`]);
  });
});

describe('parsePerson', () => {
  it('accepts an empty name and odd characters', () => {
    expect(parsePerson('<a@x> 0 +0000', 'author').name).toBe('');
    expect(parsePerson('Zoë “Q” <z@x> 10 -0000', 'author')).toMatchObject({ name: 'Zoë “Q”', time: '1970-01-01T00:00:10Z' });
  });
});

describe('parseTag', () => {
  it('parses a signed tag', () => {
    const raw = `object ${P}\ntype commit\ntag v1.0\ntagger T <t@x> 5 +0000\n\nrelease\n-----BEGIN PGP SIGNATURE-----\nS\n-----END PGP SIGNATURE-----\n`;
    const t = parseTag(b(raw), 'sha1');
    expect(t).toMatchObject({ object: P, type: 'commit', tag: 'v1.0', message: 'release\n' });
    expect(t.signature).toBe('-----BEGIN PGP SIGNATURE-----\nS\n-----END PGP SIGNATURE-----\n');
    expect(t.payload.toString()).toBe(`object ${P}\ntype commit\ntag v1.0\ntagger T <t@x> 5 +0000\n\nrelease\n`);
  });

  it('refuses headers out of order', () => {
    expect(() => parseTag(b(`type commit\nobject ${P}\ntag v\n\nm`), 'sha1')).toThrow(/object, type, tag/);
  });
});
