import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { IsNull } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity';
import { AuthErrorCode, AuthException } from './auth.exception';
import { isRole, type Principal, type Role } from './roles';

export const TOKEN_PREFIX = 'gst_';
const LAST_USED_GRANULARITY_MS = 60_000;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export interface CreatedToken {
  id: string;
  name: string;
  roles: Role[];
  /** The secret, shown once; only its SHA-256 is stored. */
  token: string;
}

export interface TokenSummary {
  id: string;
  name: string;
  roles: Role[];
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** API tokens: 256 random bits each, stored as SHA-256 (no salt needed at that entropy). */
export class TokenService {
  private readonly repo: Repository<ApiTokenEntity>;
  private readonly lastTouched = new Map<string, number>();

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(ApiTokenEntity);
  }

  async create(name: string, roles: string[], createdBy: string | null): Promise<CreatedToken> {
    const cleanRoles = validateRoles(roles);
    const cleanName = name.trim();
    if (cleanName.length < 1 || cleanName.length > 100) {
      throw new AuthException(AuthErrorCode.InvalidRequest, 'token name must be 1 to 100 characters');
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const saved = await this.repo.save(
      this.repo.create({ name: cleanName, roles: cleanRoles, tokenHash: hashToken(token), createdBy }),
    );
    return { id: saved.id, name: saved.name, roles: cleanRoles, token };
  }

  /** Registers a token chosen by the operator (GITSEAL_ADMIN_TOKEN) if it is not there yet. */
  async ensureBootstrapToken(token: string): Promise<void> {
    const hash = hashToken(token);
    const existing = await this.repo.findOne({ where: { tokenHash: hash } });
    if (existing) return;
    await this.repo.save(this.repo.create({ name: 'bootstrap (GITSEAL_ADMIN_TOKEN)', roles: ['admin'], tokenHash: hash, createdBy: 'environment' }));
  }

  async count(): Promise<number> {
    return this.repo.count();
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new AuthException(AuthErrorCode.MissingToken, 'an API token is required (Authorization: Bearer <token>)');
    if (token.length < 32 || token.length > 512) {
      throw new AuthException(AuthErrorCode.InvalidToken, 'the API token is not valid');
    }
    const hash = hashToken(token);
    const row = await this.repo.findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
    if (!row || !timingSafeEqual(row.tokenHash, hash)) {
      throw new AuthException(AuthErrorCode.InvalidToken, 'the API token is not valid');
    }
    this.touch(row.id);
    return { tokenId: row.id, name: row.name, roles: row.roles.filter(isRole) };
  }

  async list(): Promise<TokenSummary[]> {
    const rows = await this.repo.find({ order: { createdAt: 'ASC' } });
    return rows.map(toSummary);
  }

  async revoke(id: string): Promise<TokenSummary> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AuthException(AuthErrorCode.InvalidRequest, 'token id must be a UUID');
    const row = await this.repo.findOne({ where: { id } });
    if (!row) throw new AuthException(AuthErrorCode.TokenNotFound, `no token ${id}`);
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await this.repo.update({ id }, { revokedAt: row.revokedAt });
    }
    return toSummary(row);
  }

  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(id) ?? 0) < LAST_USED_GRANULARITY_MS) return;
    this.lastTouched.set(id, now);
    void this.repo.update({ id }, { lastUsedAt: new Date(now) }).catch(() => this.lastTouched.delete(id));
  }
}

export function validateRoles(roles: string[]): Role[] {
  if (roles.length === 0) throw new AuthException(AuthErrorCode.InvalidRequest, 'a token needs at least one role');
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length > 0) {
    throw new AuthException(AuthErrorCode.InvalidRequest, `unknown role ${bad.join(', ')} (roles: admin, security, auditor, approver, gate)`);
  }
  return [...new Set(roles as Role[])];
}

function toSummary(row: ApiTokenEntity): TokenSummary {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles.filter(isRole),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
  };
}
