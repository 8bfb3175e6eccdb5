import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n > 0 && n <= max, `must be between 1 and ${max}`);

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
  .refine((v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid URL');

/** Every environment setting gitseal reads. Unknown GITSEAL_* variables are refused (typos fail fast). */
export const envSchema = z.object({
  PORT: z
    .string()
    .regex(/^\d+$/, 'must be a port number')
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, 'must be between 0 and 65535')
    .default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  DATABASE_URL: postgresUrl.optional(),
  /** Runs the migrations when the application role cannot (it has only the grants it needs). */
  DATABASE_MIGRATION_URL: postgresUrl.optional(),
  /**
   * Take the least-privileged role `gitseal_app` (made by the migrations) on every connection.
   * Turn off only when the login role is itself a member-less role with those grants.
   */
  GITSEAL_DB_SET_ROLE: bool.default(true),
  GITSEAL_DB_POOL_SIZE: positiveInt(100).default(10),
  GITSEAL_DATA_DIR: z.string().min(1).default('./.gitseal'),
  GITSEAL_LEDGER_KEY_FILE: z.string().min(1).optional(),
  GITSEAL_LEDGER_KEY: z.string().min(1).optional(),
  GITSEAL_LEDGER_ORIGIN: z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be printable ASCII without spaces, at most 200 characters')
    .refine((v) => !v.includes('+'), 'must not contain "+" (signed-note key names cannot)')
    .optional(),
  GITSEAL_CHECKPOINT_INTERVAL_SECONDS: positiveInt(86_400).default(300),
  /** A bootstrap admin token (at least 32 characters); prefer `gitseal token create --role admin`. */
  GITSEAL_ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  GITSEAL_PUBLIC_API_DOCS: bool.default(false),
  /** The configuration file: repositories, trust file, policies (see README, "Configuration file"). */
  GITSEAL_CONFIG_FILE: z.string().min(1).optional(),
  GITSEAL_HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 5mb')
    .default('1mb'),
});

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  database:
    | { kind: 'postgres'; url: string; migrationUrl: string; setRole: boolean; poolSize: number }
    | { kind: 'pglite'; dataDir: string; setRole: boolean };
  dataDir: string;
  ledger: { keyFile: string; keyValue?: string; origin?: string; checkpointIntervalSeconds: number };
  adminToken?: string;
  publicApiDocs: boolean;
  httpBodyLimit: string;
  /** Absolute path of GITSEAL_CONFIG_FILE, if set (loaded by loadGitsealFile). */
  configFile?: string;
}

export { ConfigError };

const KNOWN = new Set(Object.keys(envSchema.shape));

/**
 * Validates the environment. Throws ConfigError with one line naming the setting at fault,
 * e.g. `invalid configuration: PORT must be between 0 and 65535 (got "70000")`.
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): AppConfig {
  for (const name of Object.keys(env)) {
    if (name.startsWith('GITSEAL_') && !KNOWN.has(name)) {
      throw new ConfigError(`invalid configuration: ${name} is not a gitseal setting`);
    }
  }
  const picked: Record<string, string> = {};
  for (const name of KNOWN) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const secret = name.includes('TOKEN') || name.includes('KEY') || name.includes('URL');
    const shown = secret ? '' : ` (got ${JSON.stringify(picked[name] ?? '')})`;
    throw new ConfigError(`invalid configuration: ${name} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  const dataDir = isAbsolute(e.GITSEAL_DATA_DIR) ? e.GITSEAL_DATA_DIR : resolve(cwd, e.GITSEAL_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          migrationUrl: e.DATABASE_MIGRATION_URL ?? e.DATABASE_URL,
          setRole: e.GITSEAL_DB_SET_ROLE,
          poolSize: e.GITSEAL_DB_POOL_SIZE,
        }
      : { kind: 'pglite', dataDir: resolve(dataDir, 'pgdata'), setRole: e.GITSEAL_DB_SET_ROLE },
    dataDir,
    ledger: {
      keyFile: e.GITSEAL_LEDGER_KEY_FILE ? resolve(cwd, e.GITSEAL_LEDGER_KEY_FILE) : resolve(dataDir, 'ledger-signing.key'),
      keyValue: e.GITSEAL_LEDGER_KEY,
      origin: e.GITSEAL_LEDGER_ORIGIN,
      checkpointIntervalSeconds: e.GITSEAL_CHECKPOINT_INTERVAL_SECONDS,
    },
    adminToken: e.GITSEAL_ADMIN_TOKEN,
    publicApiDocs: e.GITSEAL_PUBLIC_API_DOCS,
    httpBodyLimit: e.GITSEAL_HTTP_BODY_LIMIT,
    configFile: e.GITSEAL_CONFIG_FILE ? resolve(cwd, e.GITSEAL_CONFIG_FILE) : undefined,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
