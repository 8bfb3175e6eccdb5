import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject, KubeObject } from '../kube/kube-object';
import { diffObject } from './diff';
import { parsePointer } from './json-pointer';

interface Case {
  ignore?: { pointers?: string[]; managers?: string[] };
  removalsOf?: string;
  desired: KubeObject;
  live?: KubeObject;
  changes: Array<{ path: string; live?: unknown; desired?: unknown }>;
  ignored?: string[];
  patched?: JsonObject;
  owners?: Record<string, string[]>;
}

const dir = join(__dirname, 'testdata');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('diff of desired against live (testdata)', () => {
  it('has fixtures', () => expect(files.length).toBeGreaterThan(8));

  it.each(files)('%s', (file) => {
    const c = parse(readFileSync(join(dir, file), 'utf8')) as Case;
    const ignore = { pointers: (c.ignore?.pointers ?? []).map(parsePointer), managers: new Set(c.ignore?.managers ?? []) };
    const result = diffObject(c.desired, c.live, { ignore, removalsOf: c.removalsOf });
    const sort = <T extends { path: string }>(l: T[]) => [...l].sort((a, b) => a.path.localeCompare(b.path));
    const plain = result.changes.map(({ owners: _owners, ...rest }) => rest);
    expect(sort(plain)).toEqual(sort(c.changes));
    if (c.owners) expect(Object.fromEntries(result.changes.map((ch) => [ch.path, ch.owners]))).toEqual(c.owners);
    expect(result.ignored.map((i) => i.path).sort()).toEqual(c.ignored ?? []);
    if (c.patched) expect(result.patched).toMatchObject(c.patched);
    expect(result.created).toBe(c.live === undefined);
  });
});
