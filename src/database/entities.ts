import { ApiTokenEntity } from '../auth/api-token.entity';

/** Every TypeORM entity. The ledger uses SQL directly: its rows are hashed bytes, not objects. */
export const ENTITIES = [ApiTokenEntity];
