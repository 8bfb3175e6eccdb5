import { SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { AuthErrorCode, AuthException } from '../../src/auth/auth.exception';
import { SIGNED_BY_KEY } from '../../src/auth/roles';
import { RolesGuard } from '../../src/auth/roles.guard';
import type { TokenService } from '../../src/auth/token.service';
import { MetricsService } from '../../src/metrics/metrics.service';
import { WebhookGuard, WebhookSigned } from '../../src/source/webhook.guard';

class OtherGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

class Routes {
  @WebhookSigned()
  signed(): void {}

  @SetMetadata(SIGNED_BY_KEY, WebhookGuard)
  metadataOnly(): void {}

  @SetMetadata(SIGNED_BY_KEY, WebhookGuard)
  @UseGuards(OtherGuard)
  withAnotherGuard(): void {}

  @UseGuards(WebhookGuard)
  guardOnly(): void {}
}

const noToken: Pick<TokenService, 'authenticate'> = {
  authenticate: async () => {
    throw new AuthException(AuthErrorCode.MissingToken, 'an API token is required');
  },
};

function contextFor(handler: (...args: unknown[]) => unknown): ExecutionContext {
  return {
    getHandler: () => handler,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }),
  } as unknown as ExecutionContext;
}

/** The global role guard and the webhook route kind: open to a Git server only behind the signature check. */
describe('RolesGuard and @WebhookSigned()', () => {
  const guard = new RolesGuard(new Reflector(), noToken as TokenService, new MetricsService());

  it('leaves a @WebhookSigned() route to its signature guard (no token needed)', async () => {
    await expect(guard.canActivate(contextFor(Routes.prototype.signed))).resolves.toBe(true);
  });

  it.each([
    ['the route kind without its guard', Routes.prototype.metadataOnly],
    ['the route kind with some other guard', Routes.prototype.withAnotherGuard],
    ['the guard without the route kind', Routes.prototype.guardOnly],
  ])('stays closed for %s: a token is required', async (_name, handler) => {
    await expect(guard.canActivate(contextFor(handler))).rejects.toMatchObject({ code: AuthErrorCode.MissingToken });
  });
});
