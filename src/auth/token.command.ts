import { parseCommandArgs, UsageError, type CliCommand, type CliIo } from '../cli/command';
import { ConfigError, loadConfig } from '../config/config.schema';
import { acquireDataDirLock } from '../database/data-dir-lock';
import { DomainException } from '../common/domain.exception';
import type { TokenService } from './token.service';

/** Opens the configured database directly (the service must not be running on the same PGlite folder). */
async function withTokens<T>(io: CliIo, work: (tokens: TokenService) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig(io.env, io.cwd);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const release = config.database.kind === 'pglite' ? acquireDataDirLock(config.dataDir, 'gitseal token') : undefined;
  try {
    // Loaded lazily so that other commands do not load the database layer.
    const { openDatabase } = await import('../database/data-source.factory');
    const { TokenService } = await import('./token.service');
    const db = await openDatabase(config.database);
    try {
      return await work(new TokenService(db.dataSource));
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof DomainException && err.category === 'invalid') throw new UsageError(err.message);
    throw err;
  } finally {
    release?.();
  }
}

export const tokenCreateCommand: CliCommand = {
  path: ['token', 'create'],
  help: `usage: gitseal token create --role ROLE [--role ROLE]... [--name NAME]

Creates an API token with the given roles (admin, security, auditor, approver, gate) in the
configured database and prints it once; only its SHA-256 is stored. Run it where the service's
environment (DATABASE_URL or GITSEAL_DATA_DIR) is set; with PGlite, stop the service first.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { role: { type: 'string', multiple: true }, name: { type: 'string' } });
    const roles = values.role ?? [];
    if (roles.length === 0) throw new UsageError('give at least one --role');
    const created = await withTokens(io, (t) => t.create(values.name ?? `cli ${roles.join('+')}`, roles, 'cli'));
    io.stdout(`${created.token}\n`);
    io.stderr(`token ${created.id} (${created.name}) with roles ${created.roles.join(', ')}: shown once, store it now\n`);
    return 0;
  },
};

export const tokenListCommand: CliCommand = {
  path: ['token', 'list'],
  help: 'usage: gitseal token list [--format text|json]',
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { format: { type: 'string', default: 'text' } });
    const list = await withTokens(io, (t) => t.list());
    if (values.format === 'json') io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    else for (const t of list) io.stdout(`${t.id}  ${t.roles.join(',').padEnd(20)}  ${t.revokedAt ? 'revoked' : 'active '}  ${t.name}\n`);
    return 0;
  },
};

export const tokenRevokeCommand: CliCommand = {
  path: ['token', 'revoke'],
  help: 'usage: gitseal token revoke ID',
  async run(argv, io) {
    const { positionals } = parseCommandArgs(argv, {}, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one token id');
    const t = await withTokens(io, (tokens) => tokens.revoke(positionals[0]));
    io.stdout(`revoked ${t.id} (${t.name})\n`);
    return 0;
  },
};
