import { describe, expect, it } from 'vitest';
import type { ManifestDocument } from './manifest-parser';
import { ParseCache } from './parse-cache';

const docs = (name: string): ManifestDocument[] => [{ path: 'a.yaml', index: 0, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } }];

describe('parse cache', () => {
  it('answers by blob and path, and evicts the least recently used past its size', () => {
    const cache = new ParseCache(100);
    cache.set('b1', 'a.yaml', docs('one'), 40);
    cache.set('b2', 'a.yaml', docs('two'), 40);
    expect(cache.get('b1', 'a.yaml')?.[0].object.metadata.name).toBe('one');
    expect(cache.get('b1', 'other.yaml')).toBeUndefined();
    cache.set('b3', 'a.yaml', docs('three'), 40);
    expect(cache.get('b2', 'a.yaml')).toBeUndefined();
    expect(cache.get('b1', 'a.yaml')).toBeDefined();
    expect(cache.get('b3', 'a.yaml')).toBeDefined();
    cache.set('huge', 'a.yaml', docs('huge'), 1000);
    expect(cache.get('huge', 'a.yaml')).toBeUndefined();
  });
});
