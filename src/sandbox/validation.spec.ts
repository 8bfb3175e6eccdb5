import { describe, expect, it } from 'vitest';
import type { JsonObject } from './sandbox.types';
import { validateName, validateObject } from './validation';

const deployment = (labels: Record<string, string>, selector: JsonObject): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
});

describe('validation', () => {
  it.each([
    ['ConfigMap', 'app.config-1', 0],
    ['ConfigMap', 'App', 1],
    ['ConfigMap', '-x', 1],
    ['ConfigMap', 'a'.repeat(254), 1],
    ['Namespace', 'has.dot', 1],
    ['Service', 'a'.repeat(64), 1],
    ['ClusterRole', 'system:controller:x', 0],
    ['ClusterRole', 'a/b', 1],
  ])('%s name %s has %i errors', (kind, name, errors) => {
    expect(validateName(kind, name)).toHaveLength(errors);
  });

  it('matches selectors with matchLabels and matchExpressions', () => {
    expect(validateObject(deployment({ app: 'web', tier: 'a' }, { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }), undefined)).toEqual([]);
    const causes = validateObject(deployment({ app: 'web' }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }), undefined);
    expect(causes.map((c) => c.field)).toEqual(['spec.template.metadata.labels']);
  });

  it('keeps a workload selector immutable', () => {
    const old = deployment({ app: 'web' }, { matchLabels: { app: 'web' } });
    const changed = deployment({ app: 'web', v: '2' }, { matchLabels: { app: 'web', v: '2' } });
    expect(validateObject(changed, old).map((c) => c.message)).toEqual([expect.stringContaining('field is immutable')]);
  });

  it('requires containers with names and images, and a Job restart policy', () => {
    const job: JsonObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'Bad_Name' }] } } } };
    expect(validateObject(job, undefined).map((c) => c.field).sort()).toEqual(['spec.template.spec.containers[0].image', 'spec.template.spec.containers[0].name', 'spec.template.spec.restartPolicy']);
  });

  it('checks label values, secret data and CRD names', () => {
    expect(validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { ok: 'not ok' } } }, undefined)).toHaveLength(1);
    expect(validateObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } }, undefined)).toHaveLength(1);
    const crd: JsonObject = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'wrong' }, spec: { group: 'x.io', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true }] } };
    expect(validateObject(crd, undefined).map((c) => c.field)).toEqual(['metadata.name']);
  });
});
