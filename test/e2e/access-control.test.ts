import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/auth/roles';
import { createTestApp, listRoutes, type TestApp } from '../support/test-app';
import { TEST_DATABASE_KINDS } from '../support/test-database';

/**
 * Every route of the API and the roles that may call it. A route missing here fails the suite, so
 * a new route cannot land without its access being stated and tested.
 */
const ROUTES: Record<string, Role[] | 'public' | 'signed'> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /api/whoami': ['admin', 'security', 'auditor', 'approver', 'gate'],
  'POST /api/tokens': ['admin'],
  'GET /api/tokens': ['admin'],
  'DELETE /api/tokens/:id': ['admin'],
  'GET /api/ledger/entries': ['auditor', 'admin', 'security'],
  'GET /api/ledger/checkpoint': ['auditor', 'admin', 'security', 'gate', 'approver'],
  'POST /api/ledger/checkpoint': ['auditor', 'admin'],
  'GET /api/ledger/public-key': ['auditor', 'admin', 'security', 'gate', 'approver'],
  'GET /api/ledger/proofs/inclusion': ['auditor', 'admin', 'security'],
  'GET /api/ledger/proofs/consistency': ['auditor', 'admin', 'security'],
  'GET /api/ledger/export': ['auditor', 'admin'],
  'GET /api/trust/keys': ['security', 'admin', 'auditor'],
  'POST /api/trust/keys': ['security'],
  'POST /api/trust/keys/:fingerprint/revoke': ['security'],
  'POST /api/webhooks/:repositoryId': 'signed',
  'GET /api/commits': ['auditor', 'admin', 'security', 'gate', 'approver'],
  'GET /api/commits/:sha': ['auditor', 'admin', 'security', 'gate', 'approver'],
  'POST /api/approvals': ['approver'],
  'GET /api/repositories': ['admin', 'security', 'auditor', 'gate'],
  'GET /api/repositories/:id': ['admin', 'security', 'auditor', 'gate'],
  'POST /api/repositories/:id/fetch': ['admin', 'gate'],
  'GET /api/policy': ['security', 'admin', 'auditor', 'gate'],
  'POST /api/policy/reload': ['security'],
  'GET /api/targets': ['admin', 'security', 'auditor'],
  'GET /api/targets/:id': ['admin', 'security', 'auditor'],
  'PATCH /api/targets/:id': ['admin'],
  'GET /api/targets/:id/plan': ['auditor', 'admin', 'security'],
  'POST /api/targets/:id/sync': ['admin'],
  'POST /api/targets/:id/rollback': ['admin'],
};

/** Routes served by Swagger outside Nest's router; they need any valid token. */
const DOCS = ['/api/docs', '/api/docs-json'];

function call(t: TestApp, route: string) {
  const [method, path] = route.split(' ');
  const concrete = path.replace(':id', '00000000-0000-4000-8000-000000000000').replace(':fingerprint', 'A'.repeat(40)).replace(':repositoryId', 'shop-config').replace(':sha', '0'.repeat(40));
  const server = t.app.getHttpServer();
  switch (method) {
    case 'GET':
      return request(server).get(concrete);
    case 'POST':
      return request(server).post(concrete);
    case 'DELETE':
      return request(server).delete(concrete);
    case 'PATCH':
      return request(server).patch(concrete);
    default:
      throw new Error(`no test client for ${method}`);
  }
}

describe.each(TEST_DATABASE_KINDS)('access control on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => t?.close());

  it('states the roles of every route the application serves', () => {
    const served = listRoutes(t.app).filter((r) => !DOCS.some((d) => r.includes(d)));
    expect(served.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  const guarded = Object.entries(ROUTES).filter(([, roles]) => Array.isArray(roles)) as Array<[string, Role[]]>;
  const signed = Object.keys(ROUTES).filter((route) => ROUTES[route] === 'signed');

  it.each(signed)('%s takes no token: it is refused without a valid webhook signature, even for an admin', async (route) => {
    for (const auth of [undefined, `Bearer ${await t.token('admin')}`]) {
      const req = call(t, route).set('Content-Type', 'application/json');
      if (auth) req.set('Authorization', auth);
      const res = await req.send('{"ref":"refs/heads/main"}');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('source.webhook-refused');
    }
  });

  it.each(guarded)('%s refuses a request without a token (401)', async (route) => {
    const res = await call(t, route);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.missing-token');
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it.each(guarded)('%s refuses an unknown or revoked token (401)', async (route) => {
    const res = await call(t, route).set('Authorization', `Bearer gst_${'x'.repeat(43)}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.invalid-token');
  });

  it.each(guarded)('%s refuses every token without one of its roles (403) and admits those with one', async (route, allowed) => {
    for (const role of ROLES) {
      const res = await call(t, route).set('Authorization', `Bearer ${await t.token(role)}`);
      if (allowed.includes(role)) expect([401, 403], `${role} on ${route}`).not.toContain(res.status);
      else {
        expect(res.status, `${role} on ${route}`).toBe(403);
        expect(res.body.error.code).toBe('auth.missing-role');
      }
    }
  });

  it.each(Object.entries(ROUTES).filter(([, r]) => r === 'public'))('%s is open', async (route) => {
    expect((await call(t, route)).status).toBe(200);
  });

  it('serves the OpenAPI document only with a token', async () => {
    const server = t.app.getHttpServer();
    expect((await request(server).get('/api/docs-json')).status).toBe(401);
    const res = await request(server).get('/api/docs-json').set('Authorization', `Bearer ${await t.token('gate')}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toContain('/api/ledger/entries');
  });

  it('revokes a token so that it stops working at once', async () => {
    const admin = await t.token('admin');
    const server = t.app.getHttpServer();
    const created = await request(server).post('/api/tokens').set('Authorization', `Bearer ${admin}`).send({ name: 'ci', roles: ['gate'] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^gst_/);
    expect((await request(server).get('/api/whoami').set('Authorization', `Bearer ${created.body.token}`)).body.roles).toEqual(['gate']);
    const list = await request(server).get('/api/tokens').set('Authorization', `Bearer ${admin}`);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await request(server).delete(`/api/tokens/${created.body.id}`).set('Authorization', `Bearer ${admin}`)).status).toBe(200);
    expect((await request(server).get('/api/whoami').set('Authorization', `Bearer ${created.body.token}`)).status).toBe(401);
  });

  it('refuses a token request with unknown roles or fields, clearly', async () => {
    const admin = await t.token('admin');
    const server = t.app.getHttpServer();
    const bad = await request(server).post('/api/tokens').set('Authorization', `Bearer ${admin}`).send({ name: 'x', roles: ['root'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/roles/);
    const extra = await request(server).post('/api/tokens').set('Authorization', `Bearer ${admin}`).send({ name: 'x', roles: ['gate'], admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/admin should not exist/);
  });

  it('answers malformed JSON and oversized bodies with a clear error', async () => {
    const admin = await t.token('admin');
    const server = t.app.getHttpServer();
    const malformed = await request(server).post('/api/tokens').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'application/json').send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/not valid JSON/);
    const huge = await request(server).post('/api/tokens').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), roles: ['gate'] }));
    expect(huge.status).toBe(413);
  });

  it('marks every answer not to be cached, sniffed or framed', async () => {
    for (const res of [await request(t.app.getHttpServer()).get('/healthz'), await request(t.app.getHttpServer()).get('/api/tokens')]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not-found');
  });
});
