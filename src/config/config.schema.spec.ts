import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.schema';

describe('loadConfig', () => {
  it('defaults to PGlite in ./.gitseal', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.database).toEqual({ kind: 'pglite', dataDir: '/srv/app/.gitseal/pgdata', setRole: true });
    expect(c.port).toBe(8080);
    expect(c.ledger.keyFile).toBe('/srv/app/.gitseal/ledger-signing.key');
  });

  it('selects PostgreSQL with DATABASE_URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/gitseal' });
    expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgres://u:p@db:5432/gitseal', migrationUrl: 'postgres://u:p@db:5432/gitseal' });
  });

  it.each([
    [{ PORT: '70000' }, /^invalid configuration: PORT must be between 0 and 65535 \(got "70000"\)$/],
    [{ PORT: 'abc' }, /PORT must be a port number/],
    [{ DATABASE_URL: 'mysql://x' }, /^invalid configuration: DATABASE_URL must be a postgres/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ GITSEAL_ADMIN_TOKEN: 'short' }, /GITSEAL_ADMIN_TOKEN must be at least 32 characters$/],
    [{ GITSEAL_DATADIR: '/x' }, /GITSEAL_DATADIR is not a gitseal setting/],
    [{ GITSEAL_LEDGER_ORIGIN: 'a+b' }, /GITSEAL_LEDGER_ORIGIN/],
  ])('refuses %o with one line naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes secret values', () => {
    let caught: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:hunter2@x' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(String(caught)).not.toContain('hunter2');
  });
});
