import { z } from 'zod';
import { parsePointer } from './diff/json-pointer';
import { CronError, parseCron } from './windows/cron';
import { parseDurationMinutes } from './windows/sync-window';
import { isTimeZone } from './windows/zoned-time';

/**
 * The schema of a target: identity (file only) and the settings the API may change. Shared by the
 * configuration file and PATCH /api/targets/:id, so both refuse the same things the same way.
 */
export const TARGET_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const name = z.string().min(1).max(253);

const window = z
  .object({
    kind: z.enum(['allow', 'deny']),
    schedule: z.string().min(1).max(200).superRefine((v, ctx) => {
      try {
        parseCron(v);
      } catch (err) {
        if (err instanceof CronError) ctx.addIssue({ code: 'custom', message: `is not a cron schedule: ${err.message}` });
        else throw err;
      }
    }),
    duration: z.string().min(1).max(40).superRefine((v, ctx) => {
      try {
        parseDurationMinutes(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
    timeZone: z.string().min(1).max(100).refine(isTimeZone, 'is not a known IANA time zone').default('UTC'),
    manualSync: z.boolean().default(false),
  })
  .strict();

const pointer = z
  .string()
  .max(1000)
  .superRefine((v, ctx) => {
    try {
      if (parsePointer(v).length === 0) ctx.addIssue({ code: 'custom', message: 'must name a field, not the whole object' });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

const ignoreRule = z
  .object({
    group: z.string().max(253).optional(),
    kind: z.string().min(1).max(100).optional(),
    name: name.optional(),
    namespace: name.optional(),
    jsonPointers: z.array(pointer).max(100).default([]),
    managedFieldsManagers: z.array(z.string().min(1).max(128)).max(20).default([]),
  })
  .strict()
  .refine((r) => r.jsonPointers.length + r.managedFieldsManagers.length > 0, 'needs jsonPointers or managedFieldsManagers');

/** What PATCH may change; every field optional there, defaulted in the file. */
export const settingsShape = {
  automated: z.boolean(),
  prune: z.boolean(),
  selfHeal: z.boolean(),
  /** Take fields another manager owns when they conflict (gitseal is the source of truth for what it applies). */
  forceConflicts: z.boolean(),
  healthTimeoutSeconds: z.number().int().min(1).max(3600),
  windows: z.array(window).max(50),
  ignoreDifferences: z.array(ignoreRule).max(100),
};

export const settingsPatchSchema = z
  .object({
    automated: settingsShape.automated.optional(),
    prune: settingsShape.prune.optional(),
    selfHeal: settingsShape.selfHeal.optional(),
    forceConflicts: settingsShape.forceConflicts.optional(),
    healthTimeoutSeconds: settingsShape.healthTimeoutSeconds.optional(),
    windows: settingsShape.windows.optional(),
    ignoreDifferences: settingsShape.ignoreDifferences.optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'give at least one setting to change');

const cluster = z
  .object({
    /** The embedded sandbox API server (demo and tests; never a real cluster). */
    sandbox: z.boolean().optional(),
    inCluster: z.boolean().optional(),
    /** A kubeconfig file (relative to the configuration file); default: KUBECONFIG or ~/.kube/config. */
    kubeconfig: z.string().min(1).max(4096).optional(),
    context: z.string().min(1).max(253).optional(),
  })
  .strict()
  .refine(
    (c) => [c.sandbox === true, c.inCluster === true, c.kubeconfig !== undefined || c.context !== undefined].filter(Boolean).length === 1,
    'give exactly one of sandbox: true, inCluster: true, or kubeconfig and/or context',
  );

/** A cluster-scoped kind the target may manage: `Namespace`, `rbac.authorization.k8s.io/ClusterRole`, `group/*`, `*`. */
const clusterResource = z.string().regex(/^(\*|([a-z0-9.-]+\/)?(\*|[A-Za-z][A-Za-z0-9]*))$/, 'must look like Kind, group/Kind, group/* or *');

export const targetFileSchema = z
  .object({
    id: z.string().regex(TARGET_ID, 'must be lower-case letters, digits, ".", "_" or "-" (at most 63)'),
    repository: z.string().min(1).max(63),
    /** Folder of the manifests; default: the repository's manifestPath. */
    manifestPath: z.string().max(500).optional(),
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name').default('default'),
    cluster,
    clusterResources: z.array(clusterResource).max(100).default(['Namespace']),
    /** Namespaces the target may write to (default: any). */
    namespaces: z.array(z.string().min(1).max(63)).max(1000).optional(),
    reconcileIntervalSeconds: z.number().int().min(5).max(86_400).default(180),
    automated: settingsShape.automated.default(true),
    prune: settingsShape.prune.default(false),
    selfHeal: settingsShape.selfHeal.default(false),
    forceConflicts: settingsShape.forceConflicts.default(true),
    healthTimeoutSeconds: settingsShape.healthTimeoutSeconds.default(300),
    windows: settingsShape.windows.default([]),
    ignoreDifferences: settingsShape.ignoreDifferences.default([]),
  })
  .strict();

export type TargetFileConfig = z.infer<typeof targetFileSchema>;
export type TargetSettingsPatch = z.infer<typeof settingsPatchSchema>;
export type ClusterConfig = TargetFileConfig['cluster'];
export type IgnoreRule = z.infer<typeof ignoreRule>;

export interface TargetSettings {
  automated: boolean;
  prune: boolean;
  selfHeal: boolean;
  forceConflicts: boolean;
  healthTimeoutSeconds: number;
  windows: z.infer<typeof window>[];
  ignoreDifferences: IgnoreRule[];
}

export const SETTING_KEYS = ['automated', 'prune', 'selfHeal', 'forceConflicts', 'healthTimeoutSeconds', 'windows', 'ignoreDifferences'] as const;

export function settingsOf(t: TargetSettings): TargetSettings {
  return {
    automated: t.automated,
    prune: t.prune,
    selfHeal: t.selfHeal,
    forceConflicts: t.forceConflicts,
    healthTimeoutSeconds: t.healthTimeoutSeconds,
    windows: t.windows,
    ignoreDifferences: t.ignoreDifferences,
  };
}

/** The first problem of a zod error as one line naming the field. */
export function firstIssue(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const field = `${prefix}${where}`.replace(/^\./, '');
  return `${field ? `${field} ` : ''}${issue.message}`;
}
