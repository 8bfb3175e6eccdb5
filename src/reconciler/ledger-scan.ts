import type { LedgerService } from '../ledger/ledger.service';

const PAGE = 1000;
/** A resumed sync looks this far back at most (entries after its sync.started). */
const MAX_SCAN = 200_000;

function groupOf(apiVersion: unknown): string {
  const v = String(apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

/** Ids (`group/kind/namespace/name`) of the objects recorded as applied for `targetId` after entry `seq`. */
export async function recordedAppliesSince(ledger: Pick<LedgerService, 'entries'>, targetId: string, seq: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let from = seq + 1; from <= seq + MAX_SCAN; from += PAGE) {
    const page = await ledger.entries(from, PAGE);
    for (const { entry } of page.entries) {
      const b = entry.body;
      if (entry.type === 'resource.applied' && b.target === targetId) ids.add(`${groupOf(b.apiVersion)}/${String(b.kind)}/${String(b.namespace ?? '')}/${String(b.name)}`);
    }
    if (page.entries.length < PAGE) break;
  }
  return ids;
}
