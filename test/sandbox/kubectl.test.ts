import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApiServer } from '../../src/sandbox';
import { startSandbox, waitFor } from './helpers';

const run = promisify(execFile);

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const manifest = (replicas: number) => `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: "nginx:1.27", ports: [{containerPort: 80}]}
`;

/** The sandbox through a real Kubernetes client other than client-node, when kubectl is installed. */
describe.runIf(kubectlAvailable())('sandbox with kubectl', () => {
  let sandbox: SandboxApiServer;
  let dir: string;
  const kubectl = async (...args: string[]) => {
    try {
      const out = await run('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), ...args]);
      return { code: 0, out: out.stdout, err: out.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout, err: e.stderr };
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ controllerDelayMs: 50 });
    dir = mkdtempSync(join(tmpdir(), 'sandbox-kubectl-'));
    writeFileSync(join(dir, 'kubeconfig'), sandbox.kubeConfigYaml());
  });
  afterAll(async () => sandbox.close());

  it('applies server-side, reports conflicts as the real server, rolls out and deletes', async () => {
    writeFileSync(join(dir, 'm.yaml'), manifest(2));
    const applied = await kubectl('apply', '--server-side', '--validate=false', '-f', join(dir, 'm.yaml'));
    expect(applied.out).toContain('deployment.apps/web serverside-applied');
    expect(sandbox.getObject('apps/v1', 'Deployment', 'shop', 'web')?.metadata.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'kubectl', operation: 'Apply' })]));
    expect((await kubectl('-n', 'shop', 'rollout', 'status', 'deploy/web', '--timeout=10s')).out).toContain('successfully rolled out');
    expect((await kubectl('-n', 'shop', 'patch', 'deploy', 'web', '-p', '{"spec":{"replicas":5}}')).code).toBe(0);
    writeFileSync(join(dir, 'm.yaml'), manifest(3));
    const conflict = await kubectl('apply', '--server-side', '--validate=false', '-f', join(dir, 'm.yaml'));
    expect(conflict.code).not.toBe(0);
    expect(conflict.err).toMatch(/Apply failed with 1 conflict: conflict with "kubectl-patch" using apps\/v1 at \S+: \.spec\.replicas/);
    expect((await kubectl('apply', '--server-side', '--validate=false', '--force-conflicts', '-f', join(dir, 'm.yaml'))).code).toBe(0);
    expect((await kubectl('-n', 'shop', 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}')).out).toBe('3');
    expect((await kubectl('-n', 'shop', 'scale', 'deploy/web', '--replicas=4')).out).toContain('deployment.apps/web scaled');
    expect(sandbox.getObject('apps/v1', 'Deployment', 'shop', 'web')?.spec).toMatchObject({ replicas: 4 });
    const table = await kubectl('-n', 'shop', 'get', 'deployments');
    expect(table.out).toMatch(/^NAME\s+CREATED AT\nweb\s+/);
    expect((await kubectl('delete', 'namespace', 'shop', '--timeout=10s')).code).toBe(0);
    await waitFor(() => (sandbox.getObject('v1', 'Namespace', undefined, 'shop') === undefined ? true : undefined), 'namespace gone');
  });
});
