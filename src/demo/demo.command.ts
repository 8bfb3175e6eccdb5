import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { parseCommandArgs, UsageError, type CliCommand, type CliIo } from '../cli/command';
import { closeOnSignal } from '../cli/shutdown';
import { createDemoWorkspace } from './demo-workspace';

interface Api {
  get<T>(path: string): Promise<T>;
}

interface DecisionView {
  sha: string;
  decision: 'allow' | 'block';
  reasons: Array<{ code: string; message: string }>;
}

interface TargetView {
  status: { syncedCommit: string | null; health: string; lastError: { class?: string; message: string } | null };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`the demo timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function api(url: string, token: string): Api {
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      return (await res.json()) as T;
    },
  };
}

function looksLikeDemo(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0 || existsSync(join(dir, 'gitseal.yaml'));
}

function summary(io: CliIo, dir: string, url: string, decisions: DecisionView[], subjects: Map<string, string>, target: TargetView): string {
  const rel = (p: string) => relative(io.cwd, p) || '.';
  const port = new URL(url).port;
  const lines = [
    '',
    `gitseal demo is running at ${url} (Ctrl-C stops it; run it again to carry on where you left off)`,
    '',
    `  repository   ${rel(join(dir, 'repo'))} (branch main, manifests in deploy/), polled every 5 s`,
    `  trust        ${rel(join(dir, 'trust.yaml'))}: Alice Committer (committer), Bob Approver (approver)`,
    `  policies     gitseal's starter set (policies/): registries, tags, privileges, host access, limits, labels, production approvals`,
    `  cluster      the embedded sandbox API server (a stand-in for Kubernetes)`,
    '',
    '  commits, oldest first:',
    ...decisions.map((d) => {
      const head = `    ${d.decision === 'allow' ? 'allowed' : 'BLOCKED'}  ${d.sha.slice(0, 10)}  ${subjects.get(d.sha) ?? ''}`;
      return d.reasons.length === 0 ? head : `${head}\n${d.reasons.map((r) => `               ${r.code}: ${r.message}`).join('\n')}`;
    }),
    '',
    `  target shop: synced ${target.status.syncedCommit?.slice(0, 10) ?? 'nothing yet'}, health ${target.status.health}${target.status.lastError ? ` (${target.status.lastError.message})` : ''}`,
    '',
    '  try next:',
    `    TOKEN=$(cat ${rel(join(dir, 'data', 'initial-admin-token'))})`,
    `    curl -s -H "Authorization: Bearer $TOKEN" localhost:${port}/api/commits`,
    `    curl -s -H "Authorization: Bearer $TOKEN" localhost:${port}/api/targets/shop`,
    '',
    '    # export the ledger and verify it offline, with nothing but the public key',
    `    curl -s -H "Authorization: Bearer $TOKEN" localhost:${port}/api/ledger/public-key | node -pe 'JSON.parse(require("fs").readFileSync(0)).verifierKey' > gitseal.pub`,
    `    curl -s -H "Authorization: Bearer $TOKEN" "localhost:${port}/api/ledger/export?from=0&to=5" > bundle.json`,
    '    npx gitseal ledger verify bundle.json --key gitseal.pub',
    '',
    '    # the branch is blocked (strict mode): fix the image, sign the fix, and let the approver seal it',
    `    export GNUPGHOME=${join(dir, 'gnupg')}`,
    `    sed -i s/web:latest/web:1.4.3/ ${rel(join(dir, 'repo', 'deploy', 'web.yaml'))}`,
    `    git -C ${rel(join(dir, 'repo'))} commit -qaS -m 'web 1.4.3'`,
    `    npx gitseal approve --repo ${rel(join(dir, 'repo'))} --commit $(git -C ${rel(join(dir, 'repo'))} rev-parse HEAD) --seal --key bob@demo.gitseal.dev`,
    '    # within seconds the sealed fix is allowed and synced; GET /api/commits shows the seal',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** Makes the workspace if needed, starts the service on it, waits for the first sync, prints the summary. */
export async function startDemo(dir: string, port: string, io: CliIo): Promise<{ app: INestApplication; url: string }> {
  if (!existsSync(join(dir, 'gitseal.yaml'))) {
    io.stderr(`making the demo workspace in ${dir} (keys with gpg, a repository, a configuration)…\n`);
    await createDemoWorkspace(dir);
  }
  const { startServer } = await import('../server');
  const { SourceService } = await import('../source/source.service');
  const env = { LOG_LEVEL: 'warn', ...io.env, GITSEAL_CONFIG_FILE: join(dir, 'gitseal.yaml'), GITSEAL_DATA_DIR: join(dir, 'data'), PORT: port, GITSEAL_CHECKPOINT_INTERVAL_SECONDS: '60' };
  const { app, url } = await startServer(env, io.cwd);
  try {
    await app.get(SourceService).fetchNow('shop-config');
    const client = api(url, readFileSync(join(dir, 'data', 'initial-admin-token'), 'utf8').trim());
    const target = await until('the first sync', async () => {
      const t = await client.get<TargetView>('/api/targets/shop');
      return t.status.syncedCommit || t.status.lastError?.class === 'stalled' ? t : undefined;
    });
    const { commits } = await client.get<{ commits: DecisionView[] }>('/api/commits?repository=shop-config&limit=20');
    const subjects = new Map<string, string>();
    for (const c of commits) {
      const detail = await client.get<{ input?: { commit?: { message?: string } } }>(`/api/commits/${c.sha}?repository=shop-config&input=true`);
      subjects.set(c.sha, detail.input?.commit?.message?.split('\n')[0] ?? '');
    }
    io.stdout(summary(io, dir, url, [...commits].reverse(), subjects, target));
    return { app, url };
  } catch (err) {
    await app.close();
    throw err;
  }
}

export const demoCommand: CliCommand = {
  path: ['demo'],
  help: `usage: gitseal demo [--dir DIR] [--port PORT] [--reset]

Makes a demo workspace (default .gitseal-demo): two OpenPGP keys made with the local gpg, a trust
file, a Git repository of Kubernetes manifests with a compliant signed commit and one the starter
policies refuse, and a configuration that syncs it to the embedded sandbox cluster. Then starts
gitseal on it, waits for the first sync and prints what happened and what to try next.
Needs git and gpg. --reset deletes an earlier demo workspace first.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { dir: { type: 'string', default: '.gitseal-demo' }, port: { type: 'string', default: '8080' }, reset: { type: 'boolean', default: false } });
    const dir = isAbsolute(values.dir) ? values.dir : join(io.cwd, values.dir);
    if (!/^\d{1,5}$/.test(values.port)) throw new UsageError('--port must be a port number');
    if (!looksLikeDemo(dir)) throw new UsageError(`${dir} is not empty and holds no demo; choose another --dir`);
    if (values.reset) rmSync(dir, { recursive: true, force: true });
    const { app } = await startDemo(dir, values.port, io);
    await closeOnSignal(app);
    return 0;
  },
};
