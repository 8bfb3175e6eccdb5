import type { KeyFacts } from './key-facts';
import type { SigningCandidate } from './trust-store';
import type { Reason, TrustRole } from './verification.types';

/**
 * The time and role rules, as pure functions over facts computed once per key.
 *
 * A signature counts only if, at BOTH its signing time and the commit's committer time (for
 * approvals: the signing time), the primary key and the signing subkey existed and had not
 * expired and the trust window (validFrom ≤ t < validUntil) held; AND, now, neither the keys nor
 * the trust window have expired. Any revocation the key carries (of the primary or of the signing
 * subkey), whatever its reason or date, and a trust-store revocation dated now or earlier, make
 * it `revoked-key`. A signing time more than FUTURE_SKEW_MS ahead of now is a bad signature; one
 * more than SKEW_WARNING_MS away from the committer time is a warning.
 */

export const FUTURE_SKEW_MS = 5 * 60 * 1000;
export const SKEW_WARNING_MS = 24 * 60 * 60 * 1000;

export interface SignatureTimes {
  signedAt: Date;
  /** The commit's committer time; null when the signature is not about a commit (approvals). */
  commitTime: Date | null;
  now: Date;
}

export function describeKey(candidate: SigningCandidate): string {
  const user = candidate.trusted.facts.userId;
  const who = user ? ` (${user.name}${user.email ? ` <${user.email}>` : ''})` : '';
  const sub = candidate.key.isPrimary ? '' : `subkey ${candidate.key.keyId} of `;
  return `${sub}key ${candidate.trusted.fingerprint}${who}`;
}

export function revocationProblem(candidate: SigningCandidate, now: Date): Reason<'revoked-key'> | null {
  const { trusted, key } = candidate;
  const revokedAt = trusted.record.revokedAt;
  if (revokedAt && revokedAt.getTime() <= now.getTime()) {
    return revoked(`key ${trusted.fingerprint} was revoked in the trust store on ${iso(revokedAt)}`);
  }
  const primary = trusted.facts.revocation;
  if (primary) return revoked(`key ${trusted.fingerprint} carries a revocation (${primary.reason}, ${iso(primary.at)})`);
  if (!key.isPrimary && key.revocation) {
    return revoked(`signing ${describeKey(candidate)} carries a revocation (${key.revocation.reason}, ${iso(key.revocation.at)})`);
  }
  return null;
}

export function roleProblem(candidate: SigningCandidate, role: TrustRole): Reason<'untrusted-signer'> | null {
  if (candidate.trusted.roles.includes(role)) return null;
  return {
    code: 'untrusted-signer',
    message: `${describeKey(candidate)} is trusted only as ${candidate.trusted.roles.join(', ')}, not as ${role}`,
  };
}

export function expiryProblem(candidate: SigningCandidate, times: SignatureTimes): Reason<'expired-key'> | null {
  const points: Array<[string, Date]> = [['signing time', times.signedAt]];
  if (times.commitTime) points.push(['commit time', times.commitTime]);
  const keys: KeyFacts[] = candidate.key.isPrimary ? [candidate.key] : [candidate.trusted.facts, candidate.key];
  for (const [label, at] of points) {
    for (const key of keys) {
      const why = lifetimeProblem(key, at, label);
      if (why) return expired(`${keyLabel(candidate, key)} ${why}`);
    }
    const window = windowProblem(candidate, at, label);
    if (window) return expired(window);
  }
  for (const key of keys) {
    if (key.expires && key.expires.getTime() <= times.now.getTime()) {
      return expired(`${keyLabel(candidate, key)} is expired now (since ${iso(key.expires)})`);
    }
  }
  const until = candidate.trusted.record.validUntil;
  if (until && until.getTime() <= times.now.getTime()) {
    return expired(`the trust window of key ${candidate.trusted.fingerprint} ended on ${iso(until)}`);
  }
  return null;
}

/** Warnings that block nothing: a signing time far from the committer time. */
export function timeWarnings(times: SignatureTimes): string[] {
  if (!times.commitTime) return [];
  const gap = Math.abs(times.signedAt.getTime() - times.commitTime.getTime());
  if (gap <= SKEW_WARNING_MS) return [];
  const hours = Math.round(gap / 3_600_000);
  return [`signed at ${iso(times.signedAt)}, ${hours} h from the committer time ${iso(times.commitTime)}`];
}

function lifetimeProblem(key: KeyFacts, at: Date, label: string): string | null {
  if (at.getTime() < key.created.getTime()) return `was created on ${iso(key.created)}, after the ${label} ${iso(at)}`;
  if (key.expires && at.getTime() >= key.expires.getTime()) return `expired on ${iso(key.expires)}, before the ${label} ${iso(at)}`;
  return null;
}

function windowProblem(candidate: SigningCandidate, at: Date, label: string): string | null {
  const { validFrom, validUntil } = candidate.trusted.record;
  const outside = (validFrom && at.getTime() < validFrom.getTime()) || (validUntil && at.getTime() >= validUntil.getTime());
  if (!outside) return null;
  const window = `${validFrom ? iso(validFrom) : 'any time'} .. ${validUntil ? iso(validUntil) : 'no end'}`;
  return `the ${label} ${iso(at)} is outside the trust window of key ${candidate.trusted.fingerprint} (${window})`;
}

function keyLabel(candidate: SigningCandidate, key: KeyFacts): string {
  return key.isPrimary ? `key ${candidate.trusted.fingerprint}` : `signing subkey ${key.keyId} of key ${candidate.trusted.fingerprint}`;
}

function revoked(message: string): Reason<'revoked-key'> {
  return { code: 'revoked-key', message };
}

function expired(message: string): Reason<'expired-key'> {
  return { code: 'expired-key', message };
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
