import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.schema';
import { loadGitsealFile } from '../../src/config/gitseal-file';

const dir = mkdtempSync(join(tmpdir(), 'gitseal-targets-'));
const write = (text: string) => {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
};
const REPOS = 'repositories:\n  - id: shop-config\n    url: ./shop.git\n    manifestPath: deploy/\n';

describe('targets in the configuration file', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves a target against its repository with defaults', () => {
    const cfg = loadGitsealFile(write(`${REPOS}targets:\n  - id: shop-prod\n    repository: shop-config\n    cluster: { kubeconfig: kube/prod.yaml, context: prod }\n`));
    expect(cfg.targets).toEqual([
      {
        definition: { id: 'shop-prod', repositoryId: 'shop-config', branch: 'main', manifestPath: 'deploy', namespace: 'default', cluster: { kubeconfig: join(dir, 'kube/prod.yaml'), context: 'prod' }, clusterResources: ['Namespace'], namespaces: undefined, reconcileIntervalSeconds: 180 },
        settings: { automated: true, prune: false, selfHeal: false, forceConflicts: true, healthTimeoutSeconds: 300, windows: [], ignoreDifferences: [] },
      },
    ]);
  });

  it('reads every setting', () => {
    const cfg = loadGitsealFile(write(`${REPOS}targets:
  - id: demo
    repository: shop-config
    manifestPath: overlays/demo
    namespace: shop
    cluster: { sandbox: true }
    clusterResources: [Namespace, apiextensions.k8s.io/CustomResourceDefinition]
    namespaces: [shop, shop-*]
    automated: false
    prune: true
    selfHeal: true
    forceConflicts: false
    healthTimeoutSeconds: 60
    windows:
      - { kind: deny, schedule: "0 22 * * *", duration: 8h, timeZone: Europe/Berlin }
    ignoreDifferences:
      - { group: apps, kind: Deployment, jsonPointers: [/spec/replicas] }
      - { managedFieldsManagers: [hpa-controller] }
`));
    const [t] = cfg.targets;
    expect(t.definition).toMatchObject({ manifestPath: 'overlays/demo', namespace: 'shop', cluster: { sandbox: true }, namespaces: ['shop', 'shop-*'] });
    expect(t.settings).toEqual({
      automated: false,
      prune: true,
      selfHeal: true,
      forceConflicts: false,
      healthTimeoutSeconds: 60,
      windows: [{ kind: 'deny', schedule: '0 22 * * *', duration: '8h', timeZone: 'Europe/Berlin', manualSync: false }],
      ignoreDifferences: [
        { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'], managedFieldsManagers: [] },
        { jsonPointers: [], managedFieldsManagers: ['hpa-controller'] },
      ],
    });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['an unknown repository', 'targets:\n  - { id: t, repository: nope, cluster: { sandbox: true } }\n', /targets\[0\]\.repository names no repository \(known: shop-config\)/],
    ['two clusters at once', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true, inCluster: true } }\n', /targets\[0\]\.cluster give exactly one of/],
    ['no cluster', 'targets:\n  - { id: t, repository: shop-config, cluster: {} }\n', /targets\[0\]\.cluster give exactly one of/],
    ['an unknown field', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true }, selfheal: true }\n', /targets\[0\].*selfheal/],
    ['duplicate ids', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true } }\n  - { id: t, repository: shop-config, cluster: { sandbox: true } }\n', /targets target ids must be unique/],
    ['a bad cron schedule', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true }, windows: [{ kind: deny, schedule: "* * *", duration: 1h }] }\n', /targets\[0\]\.windows\[0\]\.schedule is not a cron schedule: expected 5 fields/],
    ['a bad duration', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true }, windows: [{ kind: deny, schedule: "* * * * *", duration: forever }] }\n', /windows\[0\]\.duration "forever" is not a duration/],
    ['an unknown time zone', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true }, windows: [{ kind: deny, schedule: "* * * * *", duration: 1h, timeZone: Mars/Olympus }] }\n', /timeZone is not a known IANA time zone/],
    ['a bad JSON pointer', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true }, ignoreDifferences: [{ jsonPointers: [spec/replicas] }] }\n', /ignoreDifferences\[0\]\.jsonPointers\[0\] JSON pointer "spec\/replicas" must start with "\/"/],
    ['an empty ignore rule', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true }, ignoreDifferences: [{ kind: Deployment }] }\n', /ignoreDifferences\[0\] needs jsonPointers or managedFieldsManagers/],
    ['a bad cluster resource', 'targets:\n  - { id: t, repository: shop-config, cluster: { sandbox: true }, clusterResources: ["a b"] }\n', /clusterResources\[0\] must look like Kind/],
    ['a bad id', 'targets:\n  - { id: Shop, repository: shop-config, cluster: { sandbox: true } }\n', /targets\[0\]\.id must be lower-case/],
  ];
  it.each(bad)('refuses %s with one line naming the field', (_name, text, message) => {
    const path = write(`${REPOS}${text}`);
    expect(() => loadGitsealFile(path)).toThrow(ConfigError);
    expect(() => loadGitsealFile(path)).toThrow(message);
  });
});
