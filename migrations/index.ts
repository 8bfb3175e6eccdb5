import { Ledger1795305600000 } from './1795305600000-ledger';
import { ApiTokens1795305600001 } from './1795305600001-api-tokens';
import { Trust1795305600002 } from './1795305600002-trust';
import { Gate1795305600003 } from './1795305600003-gate';
import { Reconciler1795305600010 } from './1795305600010-reconciler';

/** Every migration, oldest first. Listed explicitly so the same list runs from TypeScript and from dist/. */
export const MIGRATIONS = [Ledger1795305600000, ApiTokens1795305600001, Trust1795305600002, Gate1795305600003, Reconciler1795305600010];
