import { describe, expect, it } from 'vitest';
import { parseDiffTreeStdin } from './commit-changes';

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);

describe('parseDiffTreeStdin', () => {
  it('splits the output by commit; statuses, renames, copies; paths with odd bytes kept', () => {
    const out = Buffer.from(`${a}\0A\0x.yaml\0M\0dir/y\nz.yaml\0T\0link\0${b}\0R087\0old.yaml\0new.yaml\0C100\0src\0copy\0D\0gone\0`);
    expect([...parseDiffTreeStdin(out)]).toEqual([
      [a, [
        { path: 'x.yaml', status: 'added', oldPath: null },
        { path: 'dir/y\nz.yaml', status: 'modified', oldPath: null },
        { path: 'link', status: 'modified', oldPath: null },
      ]],
      [b, [
        { path: 'new.yaml', status: 'renamed', oldPath: 'old.yaml' },
        { path: 'copy', status: 'added', oldPath: 'src' },
        { path: 'gone', status: 'deleted', oldPath: null },
      ]],
    ]);
  });

  it('a path that looks like an object id is still a path', () => {
    expect(parseDiffTreeStdin(Buffer.from(`${a}\0A\0${b}\0`)).get(a)).toEqual([{ path: b, status: 'added', oldPath: null }]);
  });

  it.each([
    ['a change before any commit', `A\0x\0`],
    ['an unknown status', `${a}\0X\0x\0`],
    ['a truncated rename', `${a}\0R100\0old\0`],
    ['a status with a score where none belongs', `${a}\0M100\0x\0`],
  ])('refuses %s', (_, text) => {
    expect(() => parseDiffTreeStdin(Buffer.from(text))).toThrow();
  });
});
