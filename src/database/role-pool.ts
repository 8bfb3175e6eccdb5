import * as pg from 'pg';

/** The least-privileged role the migrations create: SELECT and INSERT on the ledger, little else. */
export const APP_ROLE = 'gitseal_app';

/**
 * A `pg` module whose pools take the application role on every new connection, before any query
 * of the service runs on it (pg queues queries per client in order). Given to TypeORM as its driver.
 */
export function pgWithRole(role: string): typeof pg {
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`invalid role name ${role}`);
  class RolePool extends pg.Pool {
    constructor(config?: pg.PoolConfig) {
      super(config);
      this.on('connect', (client) => {
        client.query(`SET ROLE ${role}`).catch((err: unknown) => {
          // Without the role the connection would run with the login role's rights: drop it.
          client.emit('error', err instanceof Error ? err : new Error(String(err)));
        });
      });
    }
  }
  return Object.create(pg, { Pool: { value: RolePool, enumerable: true } }) as typeof pg;
}
