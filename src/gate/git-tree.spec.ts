import { describe, expect, it } from 'vitest';
import { commitTreeId, parseTree, TreeFormatError } from './git-tree';

const id = (byte: number, n = 20) => Buffer.alloc(n, byte);
const entry = (mode: string, name: string, sha: Buffer) => Buffer.concat([Buffer.from(`${mode} ${name}\0`), sha]);

describe('parseTree', () => {
  it('reads every kind of entry, binary ids as hex, both id lengths', () => {
    const raw = Buffer.concat([
      entry('100644', 'a.yaml', id(1)),
      entry('100755', 'run.sh', id(2)),
      entry('120000', 'link', id(3)),
      entry('160000', 'sub', id(4)),
      entry('40000', 'dir', id(5)),
    ]);
    expect(parseTree(raw, 20)).toEqual([
      { name: 'a.yaml', type: 'blob', id: '01'.repeat(20) },
      { name: 'run.sh', type: 'executable', id: '02'.repeat(20) },
      { name: 'link', type: 'symlink', id: '03'.repeat(20) },
      { name: 'sub', type: 'submodule', id: '04'.repeat(20) },
      { name: 'dir', type: 'tree', id: '05'.repeat(20) },
    ]);
    expect(parseTree(entry('100644', 'x', id(9, 32)), 32)).toEqual([{ name: 'x', type: 'blob', id: '09'.repeat(32) }]);
    expect(parseTree(Buffer.alloc(0), 20)).toEqual([]);
  });

  it.each([
    ['a truncated id', Buffer.concat([Buffer.from('100644 a\0'), id(1, 10)])],
    ['no NUL', Buffer.from('100644 a')],
    ['an unknown mode', entry('100000', 'a', id(1))],
    ['a name with a slash', entry('100644', 'a/b', id(1))],
    ['a dot-dot name', entry('40000', '..', id(1))],
    ['an empty name', entry('100644', '', id(1))],
  ])('refuses %s', (_, raw) => {
    expect(() => parseTree(raw, 20)).toThrow(TreeFormatError);
  });
});

describe('commitTreeId', () => {
  it('reads the first line only', () => {
    expect(commitTreeId(Buffer.from(`tree ${'a'.repeat(40)}\nparent ${'b'.repeat(40)}\n`))).toBe('a'.repeat(40));
    expect(commitTreeId(Buffer.from(`parent ${'b'.repeat(40)}\ntree ${'a'.repeat(40)}\n`))).toBeNull();
  });
});
