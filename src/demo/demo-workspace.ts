import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo's workspace: two OpenPGP keys made with the local gpg (a committer and an approver),
 * trust.yaml, a Git repository of Kubernetes manifests with one compliant signed commit and one
 * signed commit the starter policies refuse, and a configuration file guarding that repository
 * and syncing it to the embedded sandbox cluster. Everything lives under one folder.
 */
export interface DemoWorkspace {
  dir: string;
  gnupgHome: string;
  repo: string;
  configFile: string;
  dataDir: string;
  committer: string;
  approver: string;
  commits: { compliant: string; refused: string };
}

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;

function deployment(image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: { app.kubernetes.io/name: web, team: storefront }
spec:
  replicas: 2
  selector:
    matchLabels: { app.kubernetes.io/name: web }
  template:
    metadata:
      labels: { app.kubernetes.io/name: web, team: storefront }
    spec:
      containers:
        - name: web
          image: ${image}
          ports: [{ containerPort: 8080 }]
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: 500m, memory: 256Mi }
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: { app.kubernetes.io/name: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (e) => reject(new Error(`${command} could not start (${(e as NodeJS.ErrnoException).code ?? e.message}); the demo needs git and gpg`)));
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${command} ${args.join(' ')} failed: ${err.trim() || `exit ${code}`}`))));
    child.stdin.end(input ?? '');
  });
}

/** Environment for the demo's gpg and git: its own GNUPGHOME, no system or global git config. */
export function demoEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    GNUPGHOME: join(dir, 'gnupg'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(dir, 'home', '.gitconfig'),
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
  };
}

async function makeKey(env: NodeJS.ProcessEnv, userId: string): Promise<string> {
  await run('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', userId, 'ed25519', 'sign', '2y'], env);
  const listing = await run('gpg', ['--batch', '--with-colons', '--list-keys', userId], env);
  const fpr = listing.split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9];
  if (!fpr) throw new Error(`gpg made no key for ${userId}`);
  return fpr;
}

async function commit(env: NodeJS.ProcessEnv, repo: string, key: string, message: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  await run('git', ['add', '-A'], env, repo);
  await run('git', ['-c', `user.signingkey=${key}!`, 'commit', '-q', '-S', '-m', message], env, repo);
  return run('git', ['rev-parse', 'HEAD'], env, repo);
}

export async function createDemoWorkspace(dir: string): Promise<DemoWorkspace> {
  if (existsSync(join(dir, 'gitseal.yaml'))) throw new Error(`${dir} already holds a demo; use --reset to start over`);
  const env = demoEnv(dir);
  for (const sub of ['home', 'gnupg', 'keys', 'repo']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  const committer = await makeKey(env, 'Alice Committer <alice@demo.gitseal.dev>');
  const approver = await makeKey(env, 'Bob Approver <bob@demo.gitseal.dev>');
  writeFileSync(join(dir, 'keys', 'alice.asc'), await run('gpg', ['--batch', '--armor', '--export', committer], env));
  writeFileSync(join(dir, 'keys', 'bob.asc'), await run('gpg', ['--batch', '--armor', '--export', approver], env));
  writeFileSync(join(dir, 'trust.yaml'), 'keys:\n  - file: keys/alice.asc\n    roles: [committer]\n  - file: keys/bob.asc\n    roles: [approver]\n');

  const repo = join(dir, 'repo');
  await run('git', ['init', '-q', '-b', 'main', repo], env);
  for (const [k, v] of [['user.name', 'Alice Committer'], ['user.email', 'alice@demo.gitseal.dev'], ['gpg.program', 'gpg'], ['gitseal.repository', 'shop-config']]) {
    await run('git', ['config', k, v], env, repo);
  }
  const compliant = await commit(env, repo, committer, 'web 1.4.2', { 'deploy/namespace.yaml': NAMESPACE, 'deploy/web.yaml': deployment('registry.example.com/shop/web:1.4.2') });
  const refused = await commit(env, repo, committer, 'try the latest web image', { 'deploy/web.yaml': deployment('registry.example.com/shop/web:latest') });

  const configFile = join(dir, 'gitseal.yaml');
  writeFileSync(
    configFile,
    `# The gitseal demo: the repository in repo/, guarded by the keys in trust.yaml and gitseal's
# starter policies, synced to the embedded sandbox cluster (a stand-in, never a real cluster).
trust: trust.yaml
repositories:
  - id: shop-config
    url: repo
    branch: main
    manifestPath: deploy
    mode: strict
    pollIntervalSeconds: 5
targets:
  - id: shop
    repository: shop-config
    namespace: shop
    cluster: { sandbox: true }
    clusterResources: [Namespace]
    automated: true
    prune: true
    selfHeal: true
    reconcileIntervalSeconds: 30
`,
  );
  return { dir, gnupgHome: env.GNUPGHOME as string, repo, configFile, dataDir: join(dir, 'data'), committer, approver, commits: { compliant, refused } };
}
