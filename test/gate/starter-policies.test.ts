import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command';
import { runCli } from '../../src/cli/main';
import { GateFixture, loadPolicies } from './support/gate-fixture';

const POLICIES = join(process.cwd(), 'policies');

const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: prod
  labels: { app.kubernetes.io/name: report, team: finance }
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          hostPID: true
          initContainers:
            - name: fetch
              image: docker.io/curlimages/curl:latest
              securityContext: { privileged: true }
          containers:
            - name: report
              image: registry.example.com/finance/report:3.1.0
              resources: { limits: { cpu: 500m, memory: 512Mi } }
`;

const goodDeployment = (version: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  labels: { app.kubernetes.io/name: web, team: shop }
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web:${version}
          resources: { limits: { cpu: "1", memory: 1Gi } }
`;

/** policies/: the starter set, its Rego tests inside npm test, and its messages through the gate. */
describe('starter policies', () => {
  it('every Rego test passes (gitseal policy test), one test file per control', async () => {
    let out = '';
    const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (out += t), cwd: process.cwd(), env: process.env };
    const code = await runCli(['policy', 'test', '--policies', 'policies'], io);
    const failing = out.split('\n').filter((l) => /: (FAIL|ERROR) /.test(l));
    expect(failing).toEqual([]);
    expect(code).toBe(0);
    const total = Number(/PASS: (\d+)\/(\d+)/.exec(out)?.[2]);
    expect(total).toBeGreaterThanOrEqual(30);
    const controls = readdirSync(POLICIES).filter((n) => n.endsWith('.rego') && !n.endsWith('_test.rego'));
    expect(controls.sort()).toEqual(['host_access.rego', 'image_tags.rego', 'labels.rego', 'privileged.rego', 'production_approval.rego', 'registries.rego', 'resources.rego']);
    for (const c of controls) {
      const pkg = c.replace(/\.rego$/, '');
      expect(out, `tests of gitseal.${pkg}`).toMatch(new RegExp(`data\\.gitseal\\.${pkg}_test\\.test_\\w+: PASS`));
    }
  });

  describe('through the gate', () => {
    let f: GateFixture;

    beforeAll(async () => {
      f = await GateFixture.create(['ed25519', 'approver']);
      f.policy = loadPolicies(POLICIES);
      await f.repo.commit({ message: 'root', sign: 'ed25519' });
    });
    afterAll(async () => {
      await f?.cleanup();
    });

    it('names the file, the object and the container of every violation', async () => {
      const anchor = await f.repo.head();
      const head = await f.repo.commit({ files: { 'deploy/report.yaml': cronJob }, sign: 'ed25519' });
      const [d] = await f.decide({ anchor, head });
      expect(d.reasons.map((r) => r.message).sort()).toEqual([
        `gitseal.host_access: deploy/report.yaml: CronJob prod/report uses the host's namespace (hostPID: true)`,
        `gitseal.image_tags: deploy/report.yaml: CronJob prod/report: init container "fetch": image "docker.io/curlimages/curl:latest" uses the latest tag; pin a version or a digest`,
        `gitseal.privileged: deploy/report.yaml: CronJob prod/report: init container "fetch" is privileged`,
        `gitseal.production_approval: changes to production need 1 approval(s) by an approver other than the commit's signer, found 0: batch/v1/CronJob prod/report (deploy/report.yaml)`,
        `gitseal.registries: deploy/report.yaml: CronJob prod/report: init container "fetch": image "docker.io/curlimages/curl:latest" is not from an allowed registry (allowed: registry.example.com/, ghcr.io/example/)`,
        `gitseal.resources: deploy/report.yaml: CronJob prod/report: init container "fetch" has no cpu limit`,
        `gitseal.resources: deploy/report.yaml: CronJob prod/report: init container "fetch" has no memory limit`,
      ]);
      expect(new Set(d.reasons.map((r) => r.code))).toEqual(new Set(['policy-denied']));
      await f.repo.resetHard(anchor);
    });

    it('a compliant production change passes once an approver other than the signer approves it', async () => {
      const anchor = await f.repo.head();
      const head = await f.repo.commit({ files: { 'deploy/web.yaml': goodDeployment('1.0.0') }, sign: 'ed25519' });
      let [d] = await f.decide({ anchor, head });
      expect(d.reasons.map((r) => r.message)).toEqual([expect.stringMatching(/^gitseal\.production_approval: changes to production need 1 approval/)]);
      await f.approve(head, 'ed25519'); // the signer: no second pair of eyes
      [d] = await f.decide({ anchor, head });
      expect(d.decision).toBe('block');
      await f.approve(head, 'approver');
      [d] = await f.decide({ anchor, head });
      expect(d.reasons).toEqual([]);
      expect(d.decision).toBe('allow');
    });
  });
});
