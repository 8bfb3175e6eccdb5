import { fixtureKey, keysIndex, type FixtureKeyName } from '../fixtures/fixture-keys';
import { TrustStore, type TrustRecord } from '../../src/verification/trust-store';
import type { TrustRole } from '../../src/verification/verification.types';

/** Every fixture key meant for trust files, with the roles keys.json intends. */
export function fixtureTrustRecords(overrides: Partial<Record<FixtureKeyName, Partial<TrustRecord>>> = {}): TrustRecord[] {
  const records: TrustRecord[] = [];
  for (const [name, info] of Object.entries(keysIndex().openpgp) as Array<[FixtureKeyName, { inTrustFile: boolean; roles: TrustRole[] }]>) {
    if (!info.inTrustFile) continue;
    records.push({ armoredKey: fixtureKey(name).publicKey, roles: info.roles, source: `fixture ${name}`, ...overrides[name] });
  }
  return records;
}

export function fixtureTrustStore(overrides: Partial<Record<FixtureKeyName, Partial<TrustRecord>>> = {}): Promise<TrustStore> {
  return TrustStore.fromRecords(fixtureTrustRecords(overrides));
}

export const fpr = (name: FixtureKeyName): string => fixtureKey(name).info.fingerprint;
export const signingKeyId = (name: FixtureKeyName): string => fixtureKey(name).info.signingKey.keyId;
