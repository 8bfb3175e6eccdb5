import { SetMetadata } from '@nestjs/common';

export const ROLES = ['admin', 'security', 'auditor', 'approver', 'gate'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export const ROLES_KEY = 'gitseal:roles';
export const PUBLIC_KEY = 'gitseal:public';

/** The roles that may call a route (any one suffices). Every route declares this or @Public(). */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_KEY, roles);

/** Only health and metrics routes are public. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Routes a Git server calls carry no token: their value is the guard class that verifies the request's signature, which must also be attached to the route (see `@WebhookSigned()` in src/source/webhook.guard.ts). */
export const SIGNED_BY_KEY = 'gitseal:signed-by';

export interface Principal {
  tokenId: string;
  name: string;
  roles: Role[];
}
