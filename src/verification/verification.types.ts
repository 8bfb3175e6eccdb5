/**
 * What verification hands to the gate and the policy input document (contracts §2, §3).
 * Plain JSON-safe objects: they cross worker threads and go into ledger entries.
 */

export type TrustRole = 'committer' | 'approver' | 'admin';
export const TRUST_ROLES: readonly TrustRole[] = ['committer', 'approver', 'admin'];

export type SignatureStatus = 'good' | 'bad' | 'none' | 'untrusted' | 'expired' | 'revoked' | 'unsupported';
export type SignatureFormat = 'openpgp' | 'ssh' | 'x509';

/** Contract §2 reason codes produced by signature verification. */
export type SignatureReasonCode =
  | 'unsigned'
  | 'bad-signature'
  | 'untrusted-signer'
  | 'expired-key'
  | 'revoked-key'
  | 'unsupported-signature';

export interface Reason<C extends string = SignatureReasonCode> {
  code: C;
  message: string;
}

export interface Signer {
  name: string;
  email: string;
  roles: TrustRole[];
}

/** Contract §3 `signature`. */
export interface SignatureInfo {
  status: SignatureStatus;
  format: SignatureFormat | null;
  /** Key id (16 upper-case hex) of the key that made the signature (a subkey or the primary). */
  keyId: string | null;
  /** Fingerprint (upper-case hex) of the primary key. */
  fingerprint: string | null;
  /** From the key's primary user ID; roles from the trust store. Null when the key is unknown. */
  signer: Signer | null;
  /** Signature creation time, ISO 8601 UTC. */
  signedAt: string | null;
}

export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 UTC, e.g. 2026-11-21T10:00:00Z. */
  time: string;
  /** The zone written in the object, e.g. +0100. */
  zone: string;
}

/** Contract §3 `commit`. */
export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
}

/** A signed tag embedded in a merge commit's `mergetag` header (or a tag object on its own). */
export interface TagVerification {
  object: string;
  type: string;
  tag: string;
  tagger: GitPerson | null;
  signature: SignatureInfo;
  reason: Reason | null;
  /** True when the tagged object is one of the merge's parents (always true for a lone tag). */
  objectIsParent: boolean;
}

export interface CommitVerification {
  sha: string;
  /** Null when the object does not parse; the reason then says why. */
  commit: CommitInfo | null;
  signature: SignatureInfo;
  /** Empty when the signature is good. At most one signature reason. */
  reasons: Reason[];
  /** Things worth recording that block nothing (e.g. signing time far from committer time). */
  warnings: string[];
  mergetags: TagVerification[];
}
