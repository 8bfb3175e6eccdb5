import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configMap, objectApi, raw, startSandbox } from './helpers';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'things.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'things', singular: 'thing', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true }] },
};

describe('sandbox state file', () => {
  it('keeps objects, custom resources and the resourceVersion across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const stateFile = join(dir, 'state.json');
    const first = await startSandbox({ stateFile, stateDebounceMs: 10 });
    const client = objectApi(first);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keep' } });
    const cm = await client.create(configMap('kept', 'keep', { a: '1' }));
    await client.create(crd);
    expect((await raw(first, 'POST', '/apis/example.com/v1/namespaces/keep/things', { metadata: { name: 't' }, spec: { x: 1 } })).status).toBe(201);
    await first.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ format: 'gitseal-sandbox/v1' });

    const second = await startSandbox({ stateFile });
    try {
      expect(second.getObject('v1', 'ConfigMap', 'keep', 'kept')).toMatchObject({ data: { a: '1' }, metadata: { uid: cm.metadata?.uid, resourceVersion: cm.metadata?.resourceVersion } });
      expect(second.getObject('example.com/v1', 'Thing', 'keep', 't')).toMatchObject({ spec: { x: 1 } });
      const next = await objectApi(second).create(configMap('new', 'keep', {}));
      expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));
      const watch = await fetch(`${second.url}/api/v1/namespaces/keep/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1`);
      expect(await watch.text()).toContain('"reason":"Expired"');
    } finally {
      await second.close();
    }
  });

  it('refuses to start on a corrupt state file and leaves it untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, '{"format": "something-else"}');
    await expect(startSandbox({ stateFile })).rejects.toThrow(/not a gitseal sandbox state/);
    writeFileSync(stateFile, '{not json');
    await expect(startSandbox({ stateFile })).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(stateFile, 'utf8')).toBe('{not json');
  });
});
