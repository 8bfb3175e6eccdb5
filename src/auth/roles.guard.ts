import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthErrorCode, AuthException } from './auth.exception';
import { PUBLIC_KEY, ROLES_KEY, SIGNED_BY_KEY, type Principal, type Role } from './roles';
import { MetricsService } from '../metrics/metrics.service';
import { TokenService } from './token.service';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * The one guard, global: a route is open only if it says @Public(); otherwise it must declare
 * @Roles(...) and the caller's token must hold one of them. A route that declares neither is
 * refused (fail closed), so a forgotten decorator cannot open a route.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly metrics: MetricsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const signedBy = this.reflector.get<unknown>(SIGNED_BY_KEY, context.getHandler()); // a webhook: only if that very guard is on the route
    if (signedBy && ((Reflect.getMetadata(GUARDS_METADATA, context.getHandler()) as unknown[] | undefined) ?? []).includes(signedBy)) return true;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      const principal = await this.tokens.authenticate(bearerToken(request));
      request.principal = principal;
      if (!required || required.length === 0) {
        throw new AuthException(AuthErrorCode.NoRolesDeclared, 'this route declares no roles and is closed');
      }
      if (!required.some((role) => principal.roles.includes(role))) {
        throw new AuthException(AuthErrorCode.MissingRole, `this route needs one of the roles: ${required.join(', ')}`);
      }
      return true;
    } catch (err) {
      if (err instanceof AuthException) this.metrics.authFailures.inc({ reason: err.code });
      throw err;
    }
  }
}

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}
