import { describe, expect, it } from 'vitest';
import { splitApprovalNote } from './approval-note';
import { formatStatement, parseStatement } from './approval-statement';

const C = 'c'.repeat(40);
const T = 'd'.repeat(40);
const good = `gitseal-approval/v1\nrepository: shop-config\ncommit: ${C}\ntree: ${T}\nseal: false\n`;

describe('approval statement', () => {
  it('formats and parses the contract format', () => {
    expect(formatStatement({ repository: 'shop-config', commit: C, tree: T, seal: false })).toBe(good);
    expect(parseStatement(good)).toEqual({ repository: 'shop-config', commit: C, tree: T, seal: false });
    expect(parseStatement(`gitseal-approval/v1\nseal: true\ntree: ${T}\ncommit: ${C}\nrepository: a/b\n\n`).seal).toBe(true);
  });

  it.each([
    ['a wrong header', good.replace('/v1', '/v2'), /first line/],
    ['an unknown field', good.replace('seal: false', 'seal: false\nenv: prod'), /unknown field 'env'/],
    ['a repeated field', good.replace('seal: false', 'seal: false\nseal: true'), /appears twice/],
    ['a missing field', good.replace('seal: false\n', ''), /'seal' is missing/],
    ['a seal that is not a boolean', good.replace('seal: false', 'seal: yes'), /true or false/],
    ['a short commit id', good.replace(C, C.slice(0, 12)), /commit must be a full/],
    ['an upper-case tree id', good.replace(T, T.toUpperCase()), /tree must be a full/],
    ['ids of two formats', good.replace(T, 'e'.repeat(64)), /different object formats/],
    ['a blank line inside', good.replace('\ncommit', '\n\ncommit'), /line 3 is not/],
    ['padding around a value', good.replace('repository: shop-config', 'repository:  shop-config'), /not 'field: value'/],
    ['a repository id with spaces', good.replace('shop-config', 'shop config'), /not valid/],
  ])('refuses %s', (_, text, error) => {
    expect(() => parseStatement(text)).toThrow(error);
  });
});

describe('splitApprovalNote', () => {
  const clear = '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nbody\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----';
  const sig = '-----BEGIN PGP SIGNATURE-----\n\nBBBB\n-----END PGP SIGNATURE-----';

  it('finds clear-signed and detached messages, and reports junk', () => {
    const blocks = splitApprovalNote(`${clear}\n\n${good}${sig}\n\nhello there\nmore\n\n${clear}\n`);
    expect(blocks.map((b) => b.kind)).toEqual(['clear-signed', 'detached', 'junk', 'clear-signed']);
    expect(blocks[1]).toMatchObject({ kind: 'detached', statement: good, signature: `${sig}\n`, line: 10 });
    expect(blocks[2]).toMatchObject({ kind: 'junk', text: 'hello there\nmore', line: 20 });
  });

  it('reports unterminated messages and statements without a signature', () => {
    expect(splitApprovalNote(clear.split('\n').slice(0, 4).join('\n'))[0]).toMatchObject({ kind: 'junk', why: /unterminated/ });
    expect(splitApprovalNote(`${good}\n-----END PGP SIGNATURE-----\n`)[0]).toMatchObject({ kind: 'junk', why: /without a signature/ });
  });

  it('caps the number of messages', () => {
    const blocks = splitApprovalNote(Array.from({ length: 150 }, (_, i) => `junk ${i}`).join('\n\n'));
    expect(blocks).toHaveLength(101);
    expect(blocks[100]).toMatchObject({ why: /more than 100 messages/ });
  });
});
