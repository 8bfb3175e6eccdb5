import { describe, expect, it } from 'vitest';
import { parseRoute } from './request-info';

describe('parseRoute', () => {
  it.each([
    ['/', { kind: 'root' }],
    ['/version', { kind: 'version' }],
    ['/readyz', { kind: 'health' }],
    ['/api', { kind: 'api' }],
    ['/apis', { kind: 'apis' }],
    ['/apis/apps', { kind: 'group', group: 'apps' }],
    ['/api/v1', { kind: 'resourceList', group: '', version: 'v1' }],
    ['/apis/apps/v1', { kind: 'resourceList', group: 'apps', version: 'v1' }],
    ['/api/v1/namespaces', { kind: 'resource', group: '', version: 'v1', resource: 'namespaces', watchPath: false }],
    ['/api/v1/namespaces/shop', { kind: 'resource', resource: 'namespaces', name: 'shop', namespace: undefined }],
    ['/api/v1/namespaces/shop/status', { kind: 'resource', resource: 'namespaces', name: 'shop', subresource: 'status' }],
    ['/api/v1/namespaces/shop/finalize', { kind: 'resource', resource: 'namespaces', name: 'shop', subresource: 'finalize' }],
    ['/api/v1/namespaces/shop/pods', { kind: 'resource', resource: 'pods', namespace: 'shop', name: undefined }],
    ['/apis/apps/v1/namespaces/shop/deployments/web/status', { kind: 'resource', group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web', subresource: 'status' }],
    ['/apis/apps/v1/deployments', { kind: 'resource', resource: 'deployments', namespace: undefined }],
    ['/api/v1/watch/namespaces/shop/configmaps', { kind: 'resource', resource: 'configmaps', namespace: 'shop', watchPath: true }],
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Areader', { kind: 'resource', resource: 'clusterroles', name: 'system:reader' }],
  ])('%s', (path, expected) => {
    expect(parseRoute(path)).toMatchObject(expected);
  });

  it.each(['/metrics', '/apis/apps/v1/namespaces/a/deployments/b/status/extra', '/api/v1/%E0%A4%A'])('%s is unknown', (path) => {
    expect(parseRoute(path)).toEqual({ kind: 'unknown' });
  });
});
