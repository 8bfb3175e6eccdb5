import { describe, expect, it } from 'vitest';
import { manifestBlobs } from './manifest-tree';

const A = 'a'.repeat(40);
const line = (mode: string, type: string, size: string, path: string) => `${mode} ${type} ${A} ${size.padStart(7)}\t${path}\0`;
const out = (...lines: string[]) => Buffer.from(lines.join(''));

describe('manifest files of a tree', () => {
  it('keeps manifest blobs under the path, sorted, and reads nothing else', () => {
    const blobs = manifestBlobs(out(
      line('100644', 'blob', '120', 'deploy/b.yaml'),
      line('100644', 'blob', '80', 'deploy/a.json'),
      line('100755', 'blob', '10', 'deploy/sub/c.YML'),
      line('100644', 'blob', '999999999', 'deploy/logo.png'),
      line('100644', 'blob', '5', 'README.md'),
      line('100644', 'blob', '5', 'deployment.yaml'),
      line('160000', 'commit', '-', 'deploy/vendored.yaml'),
    ), 'deploy');
    expect(blobs.map((b) => [b.path, b.size])).toEqual([['deploy/a.json', 80], ['deploy/b.yaml', 120], ['deploy/sub/c.YML', 10]]);
    expect(manifestBlobs(out(line('100644', 'blob', '5', 'x.yaml')), '').map((b) => b.path)).toEqual(['x.yaml']);
  });

  const refused: Array<[string, Buffer, RegExp]> = [
    ['a symbolic link named like a manifest', out(line('120000', 'blob', '11', 'deploy/evil.yaml')), /deploy\/evil\.yaml: is a symbolic link/],
    ['a file over the limit', out(line('100644', 'blob', String(5 * 1024 * 1024), 'deploy/big.yaml')), /deploy\/big\.yaml: is 5242880 bytes, more than the 4194304-byte limit/],
    ['too many bytes together', out(...Array.from({ length: 20 }, (_, i) => line('100644', 'blob', String(4 * 1024 * 1024), `deploy/f${i}.yaml`))), /more than 67108864 bytes together/],
    ['output that does not parse', Buffer.from('garbage\0'), /unexpected output from git ls-tree/],
  ];
  it.each(refused)('refuses %s before reading anything', (_name, output, message) => {
    expect(() => manifestBlobs(output, 'deploy')).toThrow(message);
  });
});
