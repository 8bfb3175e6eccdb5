import type { DataSource } from 'typeorm';
import type { LedgerService } from '../../ledger/ledger.service';
import type { LedgerWriter } from './sync-recorder';

/**
 * The service's ledger for the reconciler. Entries that follow entries another writer may have
 * appended meanwhile (the gate's decision, written by another replica) are appended inside a
 * transaction, where the ledger reads its head under the lock: its fast path checks `follows`
 * against the head it cached, which another writer can have moved. The per-object records of a
 * sync follow this process's own sync.started and take the fast path.
 */
export function reconcilerLedger(ledger: Pick<LedgerService, 'append'>, dataSource: DataSource): LedgerWriter {
  return {
    append: (drafts) => (drafts.every((d) => d.type === 'resource.applied') ? ledger.append(drafts) : dataSource.transaction((m) => ledger.append(drafts, m))),
  };
}
