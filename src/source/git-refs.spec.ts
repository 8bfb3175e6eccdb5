import { describe, expect, it } from 'vitest';
import { assertPinName, objectFormatOf, parseRefLines, pinRef } from './git-refs';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseRefLines', () => {
  it('keeps exactly the refs asked for', () => {
    const out = `${A}\trefs/heads/main\n${B}\trefs/heads/feature/refs/heads/main\n${B}\trefs/notes/gitseal-approvals\n`;
    const refs = parseRefLines(out, ['refs/heads/main', 'refs/notes/gitseal-approvals']);
    expect(Object.fromEntries(refs)).toEqual({ 'refs/heads/main': A, 'refs/notes/gitseal-approvals': B });
  });

  it.each([
    [`${A.slice(1)}\trefs/heads/main\n`],
    [`${A.toUpperCase()}\trefs/heads/main\n`],
    [`${A} refs/heads/main\n`],
    ['garbage\n'],
  ])('refuses a malformed line %j', (out) => {
    expect(() => parseRefLines(out, ['refs/heads/main'])).toThrow(/does not parse/);
  });

  it('refuses a ref advertised twice with different ids', () => {
    expect(() => parseRefLines(`${A}\trefs/heads/main\n${B}\trefs/heads/main\n`, ['refs/heads/main'])).toThrow(/twice/);
  });

  it('accepts sha256 ids and a predicate', () => {
    const c = 'c'.repeat(64);
    expect(parseRefLines(`${c}\trefs/gitseal/x\n`, (r) => r.startsWith('refs/gitseal/')).get('refs/gitseal/x')).toBe(c);
    expect(objectFormatOf(c)).toBe('sha256');
    expect(objectFormatOf(A)).toBe('sha1');
  });
});

describe('pin names', () => {
  it.each(['synced', 'synced/prod', `rewritten/${A}`, 'decided/v1.2_x-y'])('accepts %s', (name) => {
    expect(pinRef(name)).toBe(`refs/gitseal/${name}`);
  });

  it.each(['', '/x', 'x/', 'a//b', '../x', 'a/../b', 'a..b', '.hidden', 'x.lock', 'x.', 'a b', 'a:b', 'a~1', 'a^', '-x', 'x'.repeat(201)])('refuses %j', (name) => {
    expect(() => assertPinName(name)).toThrow(/not a valid pin name/);
  });
});
