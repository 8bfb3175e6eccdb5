import { keyFacts, KeyFactsError, type KeyFacts, type PrimaryFacts } from './key-facts';
import { OpenPgpFormatError, readArmoredKey, type PublicKey } from './openpgp.adapter';
import { VerificationException } from './verification.exception';
import { TRUST_ROLES, type TrustRole } from './verification.types';

/**
 * Who may sign and approve (contracts §1): keys with roles and optional validity windows. Built
 * from records, whether they come from trust.yaml (trust-file.ts) or from the service's database,
 * so both paths apply the same rules. Each key is parsed and its self-signatures, bindings and
 * revocations verified once, when added; lookups by key id or fingerprint (primary or subkey)
 * are map reads.
 */
export interface TrustRecord {
  /** ASCII-armored OpenPGP public key (one key). */
  armoredKey: string;
  roles: TrustRole[];
  /** Optional window, checked against the commit time (and signing time). */
  validFrom?: Date | null;
  validUntil?: Date | null;
  /** Revoked by the trust store's owner (not by the key itself): no signature counts from then on. */
  revokedAt?: Date | null;
  /** Where the record came from, for messages: `trust.yaml keys[2] (keys/bob.asc)`, `api`. */
  source: string;
}

export interface TrustedKey {
  record: TrustRecord;
  fingerprint: string;
  roles: TrustRole[];
  facts: PrimaryFacts;
  key: PublicKey;
}

/** A (sub)key able to have made a signature, with the trusted key it belongs to. */
export interface SigningCandidate {
  trusted: TrustedKey;
  key: KeyFacts;
}

/** JSON view of a trusted key (API listings, ledger `trust.changed` entries). */
export interface TrustedKeySummary {
  fingerprint: string;
  keyId: string;
  userId: { name: string; email: string } | null;
  roles: TrustRole[];
  created: string;
  expires: string | null;
  revoked: { at: string; reason: string } | null;
  validFrom: string | null;
  validUntil: string | null;
  revokedAt: string | null;
  subkeys: Array<{ fingerprint: string; keyId: string; canSign: boolean; expires: string | null; revoked: boolean }>;
  source: string;
}

export class TrustStore {
  private readonly byFingerprint = new Map<string, TrustedKey>();
  private readonly byKeyFingerprint = new Map<string, SigningCandidate>();
  private readonly byKeyId = new Map<string, SigningCandidate[]>();
  private changes = 0;

  static async fromRecords(records: readonly TrustRecord[]): Promise<TrustStore> {
    const store = new TrustStore();
    for (const record of records) await store.add(record);
    return store;
  }

  /** Adds a key; a key (or subkey) already present is a `trust-key-duplicate` error. */
  async add(record: TrustRecord): Promise<TrustedKey> {
    validateRecord(record);
    const key = await parseKey(record);
    const facts = await keyFacts(key).catch((err: unknown) => {
      if (err instanceof KeyFactsError) throw invalidKey(record, err.message);
      throw err;
    });
    if (!facts.canSign && !facts.subkeys.some((s) => s.canSign)) {
      const why = [facts, ...facts.subkeys].map((k) => `${k.keyId}: ${k.problem}`).join('; ');
      throw invalidKey(record, `no key in it may sign (${why})`);
    }
    const all = [facts, ...facts.subkeys];
    for (const k of all) {
      const clash = this.byKeyFingerprint.get(k.fingerprint);
      if (clash) {
        throw new VerificationException(
          'trust-key-duplicate',
          `${record.source}: key ${k.fingerprint} is already trusted (${clash.trusted.record.source})`,
        );
      }
    }
    const trusted: TrustedKey = { record, fingerprint: facts.fingerprint, roles: [...new Set(record.roles)], facts, key };
    this.byFingerprint.set(facts.fingerprint, trusted);
    for (const k of all) {
      const candidate = { trusted, key: k };
      this.byKeyFingerprint.set(k.fingerprint, candidate);
      this.byKeyId.set(k.keyId, [...(this.byKeyId.get(k.keyId) ?? []), candidate]);
    }
    this.changes++;
    return trusted;
  }

  /** Marks a key revoked by the store's owner from `at` on. */
  revoke(fingerprint: string, at: Date): TrustedKey {
    const trusted = this.require(fingerprint);
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw invalidKey(trusted.record, 'revocation date is not a valid date');
    const updated: TrustedKey = { ...trusted, record: { ...trusted.record, revokedAt: at } };
    this.replace(trusted, updated);
    return updated;
  }

  remove(fingerprint: string): void {
    const trusted = this.require(fingerprint);
    this.byFingerprint.delete(trusted.fingerprint);
    for (const k of [trusted.facts, ...trusted.facts.subkeys]) {
      this.byKeyFingerprint.delete(k.fingerprint);
      const rest = (this.byKeyId.get(k.keyId) ?? []).filter((c) => c.trusted.fingerprint !== trusted.fingerprint);
      if (rest.length > 0) this.byKeyId.set(k.keyId, rest);
      else this.byKeyId.delete(k.keyId);
    }
    this.changes++;
  }

  get(fingerprint: string): TrustedKey | undefined {
    return this.byFingerprint.get(fingerprint.toUpperCase());
  }

  /**
   * The (sub)keys that may have made a signature: by the issuer fingerprint when the signature
   * carries one (exact), else by its 64-bit key id (possibly several on a collision).
   */
  candidates(issuer: { keyId: string | null; fingerprint: string | null }): SigningCandidate[] {
    if (issuer.fingerprint) {
      const exact = this.byKeyFingerprint.get(issuer.fingerprint.toUpperCase());
      return exact ? [exact] : [];
    }
    return issuer.keyId ? (this.byKeyId.get(issuer.keyId.toUpperCase()) ?? []) : [];
  }

  list(): TrustedKeySummary[] {
    return [...this.byFingerprint.values()].map(summarise);
  }

  /** The records this store was built from (to rebuild it elsewhere, e.g. in a worker thread). */
  records(): TrustRecord[] {
    return [...this.byFingerprint.values()].map((t) => t.record);
  }

  /** Changes on every add, revoke or remove. */
  get revision(): number {
    return this.changes;
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  private require(fingerprint: string): TrustedKey {
    const trusted = this.get(fingerprint);
    if (!trusted) throw new VerificationException('trust-key-unknown', `no trusted key ${fingerprint}`);
    return trusted;
  }

  private replace(old: TrustedKey, updated: TrustedKey): void {
    this.byFingerprint.set(old.fingerprint, updated);
    for (const k of [updated.facts, ...updated.facts.subkeys]) {
      const candidate = { trusted: updated, key: k };
      this.byKeyFingerprint.set(k.fingerprint, candidate);
      this.byKeyId.set(
        k.keyId,
        (this.byKeyId.get(k.keyId) ?? []).map((c) => (c.trusted.fingerprint === old.fingerprint ? candidate : c)),
      );
    }
    this.changes++;
  }
}

function validateRecord(record: TrustRecord): void {
  if (!Array.isArray(record.roles) || record.roles.length === 0) throw invalidKey(record, 'no roles given');
  for (const role of record.roles) {
    if (!TRUST_ROLES.includes(role)) throw invalidKey(record, `unknown role '${String(role)}' (known: ${TRUST_ROLES.join(', ')})`);
  }
  for (const [name, value] of Object.entries({ validFrom: record.validFrom, validUntil: record.validUntil, revokedAt: record.revokedAt })) {
    if (value != null && (!(value instanceof Date) || Number.isNaN(value.getTime()))) throw invalidKey(record, `${name} is not a valid date`);
  }
  if (record.validFrom && record.validUntil && record.validFrom >= record.validUntil) {
    throw invalidKey(record, 'validFrom is not before validUntil');
  }
}

async function parseKey(record: TrustRecord): Promise<PublicKey> {
  try {
    return await readArmoredKey(record.armoredKey);
  } catch (err) {
    const why = err instanceof OpenPgpFormatError ? err.message : `unreadable key: ${err instanceof Error ? err.message : String(err)}`;
    throw invalidKey(record, why);
  }
}

function invalidKey(record: TrustRecord, why: string): VerificationException {
  return new VerificationException('trust-key-invalid', `${record.source}: ${why}`);
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

function summarise(t: TrustedKey): TrustedKeySummary {
  const f = t.facts;
  return {
    fingerprint: f.fingerprint,
    keyId: f.keyId,
    userId: f.userId,
    roles: t.roles,
    created: f.created.toISOString(),
    expires: iso(f.expires),
    revoked: f.revocation ? { at: f.revocation.at.toISOString(), reason: f.revocation.reason } : null,
    validFrom: iso(t.record.validFrom),
    validUntil: iso(t.record.validUntil),
    revokedAt: iso(t.record.revokedAt),
    subkeys: f.subkeys.map((s) => ({
      fingerprint: s.fingerprint,
      keyId: s.keyId,
      canSign: s.canSign,
      expires: iso(s.expires),
      revoked: s.revocation !== null,
    })),
    source: t.record.source,
  };
}
