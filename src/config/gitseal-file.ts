import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { normaliseManifestPath } from './manifest-path';
import { settingsOf, targetFileSchema } from '../reconciler/target-settings';
import type { TargetConfig } from '../reconciler/target';

/**
 * The service's configuration file (GITSEAL_CONFIG_FILE, YAML): the repositories it guards, the
 * trust file, the policies. Secrets are never written in it: they are named environment variables
 * (`…Env`) or files (`…File`) read when needed. Relative paths are relative to this file.
 */
const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be lower-case letters, digits, ".", "_" or "-" (at most 63)');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name');
const gitRef = z
  .string()
  .min(1)
  .max(200)
  .refine((v) => !v.startsWith('-') && !v.startsWith('refs/') && !/[\s~^:?*[\\]|\.\.|@\{|\/\/|\/$|\.lock$/.test(v), 'is not a valid branch name');

const credentials = z
  .object({
    username: z.string().min(1).max(200).optional(),
    /** HTTPS password or token, from this environment variable. */
    passwordEnv: envName.optional(),
    passwordFile: z.string().min(1).optional(),
    /** SSH private key file (mode 0600) and the known_hosts file that pins the server's key. */
    sshKeyFile: z.string().min(1).optional(),
    knownHostsFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => !(c.passwordEnv && c.passwordFile), 'give passwordEnv or passwordFile, not both')
  .refine((c) => !c.sshKeyFile || c.knownHostsFile, 'an sshKeyFile needs a knownHostsFile (host keys are never accepted blindly)');

const webhook = z
  .object({
    /** Shared secret (HMAC key or GitLab token), from this environment variable or file. */
    secretEnv: envName.optional(),
    secretFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((w) => Boolean(w.secretEnv) !== Boolean(w.secretFile), 'give exactly one of secretEnv or secretFile');

const repository = z
  .object({
    id,
    url: z.string().min(1).max(2000),
    branch: gitRef.default('main'),
    /** Folder of the Kubernetes manifests inside the repository ('' or '.' for the root). */
    manifestPath: z.string().max(500).default('.'),
    mode: z.enum(['strict', 'head']).default('strict'),
    pollIntervalSeconds: z.number().int().min(5).max(86_400).default(60),
    /** Approvals every commit needs besides what the policies require (0: policies decide). */
    requiredApprovals: z.number().int().min(0).max(10).default(0),
    credentials: credentials.optional(),
    webhook: webhook.optional(),
  })
  .strict();

const fileSchema = z
  .object({
    trust: z.string().min(1).optional(),
    policies: z.string().min(1).optional(),
    policyBundle: z.string().min(1).optional(),
    repositories: z.array(repository).max(1000).default([]),
    /** Where each repository's allowed commits are applied (see docs/reconciler.md). */
    targets: z.array(targetFileSchema).max(1000).default([]),
  })
  .strict()
  .refine((f) => !(f.policies && f.policyBundle), 'give policies (a Rego folder) or policyBundle (opa build -t wasm), not both')
  .refine((f) => new Set(f.repositories.map((r) => r.id)).size === f.repositories.length, 'repository ids must be unique')
  .refine((f) => new Set(f.targets.map((t) => t.id)).size === f.targets.length, { message: 'target ids must be unique', path: ['targets'] })
  .superRefine((f, ctx) => {
    f.targets.forEach((t, i) => {
      if (!f.repositories.some((r) => r.id === t.repository)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'repository'], message: `names no repository (known: ${f.repositories.map((r) => r.id).join(', ') || 'none'})` });
    });
  });

export type RepositoryConfig = z.infer<typeof repository>;
export type RepositoryCredentials = z.infer<typeof credentials>;

export interface GitsealFileConfig {
  /** Absolute path of the file, or undefined when none was configured. */
  path?: string;
  trustFile?: string;
  policiesDir?: string;
  policyBundle?: string;
  repositories: RepositoryConfig[];
  /** Targets, resolved against their repositories (branch, default manifest path). */
  targets: TargetConfig[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;

export const EMPTY_FILE_CONFIG: GitsealFileConfig = { repositories: [], targets: [] };

/** Reads and validates the file; every problem is one ConfigError line naming the file and field. */
export function loadGitsealFile(path: string): GitsealFileConfig {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) throw new ConfigError(`${path}: larger than ${MAX_CONFIG_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100, prettyErrors: true }) ?? {};
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new ConfigError(`${path}: ${where ? `${where} ` : ''}${issue.message}`);
  }
  const base = dirname(resolve(path));
  const abs = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(base, p));
  const f = parsed.data;
  return {
    path: resolve(path),
    trustFile: abs(f.trust),
    policiesDir: abs(f.policies),
    policyBundle: abs(f.policyBundle),
    repositories: f.repositories.map((r) => ({
      ...r,
      url: isLocalPath(r.url) ? (abs(r.url) as string) : r.url,
      manifestPath: normaliseManifestPath(r.manifestPath),
      credentials: r.credentials && {
        ...r.credentials,
        passwordFile: abs(r.credentials.passwordFile),
        sshKeyFile: abs(r.credentials.sshKeyFile),
        knownHostsFile: abs(r.credentials.knownHostsFile),
      },
      webhook: r.webhook && { ...r.webhook, secretFile: abs(r.webhook.secretFile) },
    })),
    targets: f.targets.map((t) => resolveTarget(t, f.repositories, abs)),
  };
}

function resolveTarget(t: z.infer<typeof targetFileSchema>, repositories: RepositoryConfig[], abs: (p: string | undefined) => string | undefined): TargetConfig {
  const repo = repositories.find((r) => r.id === t.repository) as RepositoryConfig;
  return {
    definition: {
      id: t.id,
      repositoryId: t.repository,
      branch: repo.branch,
      manifestPath: normaliseManifestPath(t.manifestPath ?? repo.manifestPath),
      namespace: t.namespace,
      cluster: { ...t.cluster, kubeconfig: abs(t.cluster.kubeconfig) },
      clusterResources: t.clusterResources,
      namespaces: t.namespaces,
      reconcileIntervalSeconds: t.reconcileIntervalSeconds,
    },
    settings: settingsOf(t),
  };
}

function isLocalPath(url: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^[^/\s]+@[^/\s]+:/.test(url);
}

/** '' and '.' mean the whole tree; otherwise a relative folder without '..' or a leading '/'. */
export { normaliseManifestPath };

export const FILE_CONFIG = Symbol('FILE_CONFIG');
