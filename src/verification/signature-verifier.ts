import { SIGNATURE_MARKERS } from './git-signed-object';
import { describeKey, expiryProblem, FUTURE_SKEW_MS, iso, revocationProblem, roleProblem, timeWarnings } from './key-validity';
import { hex, OpenPgpFormatError, readDetachedSignature, verifyOver, type SignaturePacket } from './openpgp.adapter';
import type { SigningCandidate, TrustStore } from './trust-store';
import type { Reason, SignatureFormat, SignatureInfo, SignatureReasonCode, SignatureStatus, TrustRole } from './verification.types';

/**
 * Verifies one signature over given bytes against the trust store, with the rules of
 * key-validity.ts, and answers the contract §3 `signature` object and at most one contract §2
 * reason. Never throws on hostile input: every failure is an answer.
 */
export interface SignatureCheck {
  info: SignatureInfo;
  reason: Reason | null;
  warnings: string[];
}

export interface SignatureContext {
  /** The role the signer needs (committer for commits and tags, approver for approvals). */
  role: TrustRole;
  /** Committer time of the commit signed; null for approvals. */
  commitTime: Date | null;
  now: Date;
}

const STATUS: Record<SignatureReasonCode, SignatureStatus> = {
  unsigned: 'none',
  'bad-signature': 'bad',
  'untrusted-signer': 'untrusted',
  'expired-key': 'expired',
  'revoked-key': 'revoked',
  'unsupported-signature': 'unsupported',
};

/** Recognises the signature format from its first line, as git does (`get_format_by_sig`). */
export function signatureFormat(signature: string): SignatureFormat | null {
  for (const [format, markers] of Object.entries(SIGNATURE_MARKERS) as Array<[SignatureFormat, readonly string[]]>) {
    if (markers.some((m) => signature.startsWith(m))) return format;
  }
  return null;
}

export function noSignature(message: string): SignatureCheck {
  return { info: emptyInfo('none', null), reason: { code: 'unsigned', message }, warnings: [] };
}

/** A detached armored signature (commit `gpgsig`, tag trailer, detached approval) over `data`. */
export async function verifyDetached(
  signature: string,
  data: Uint8Array,
  trust: TrustStore,
  context: SignatureContext,
): Promise<SignatureCheck> {
  const format = signatureFormat(signature);
  if (format === null) return failed('bad-signature', null, 'the signature is in no known format (garbage in the signature header)');
  if (format !== 'openpgp') {
    return failed('unsupported-signature', format, `${format === 'ssh' ? 'SSH' : 'X.509'} signatures cannot be verified yet`);
  }
  let packet: SignaturePacket;
  try {
    packet = await readDetachedSignature(signature);
  } catch (err) {
    const why = err instanceof OpenPgpFormatError ? err.message : String(err);
    return failed('bad-signature', 'openpgp', `the OpenPGP signature cannot be read: ${why}`);
  }
  return verifyPacket(packet, data, trust, context);
}

/** One signature packet over `data` (shared by detached and clear-signed forms). */
export async function verifyPacket(
  packet: SignaturePacket,
  data: Uint8Array,
  trust: TrustStore,
  context: SignatureContext,
): Promise<SignatureCheck> {
  const issuer = issuerOf(packet);
  const signedAt = packet.created as Date;
  const candidates = trust.candidates(issuer);
  const shownId = issuer.keyId ?? issuer.fingerprint ?? 'unknown';
  if (candidates.length === 0) {
    const info = { ...emptyInfo('untrusted', 'openpgp'), keyId: issuer.keyId, signedAt: iso(signedAt) };
    return { info, reason: { code: 'untrusted-signer', message: `signed by key ${shownId}, which is not in the trust store` }, warnings: [] };
  }
  let match: SigningCandidate | undefined;
  let why = '';
  for (const candidate of candidates) {
    const result = await verifyOver(packet, candidate.key.packet, data);
    if (result.ok) {
      match = candidate;
      break;
    }
    why = result.why ?? 'does not verify';
  }
  if (!match) {
    const info = { ...emptyInfo('bad', 'openpgp'), keyId: issuer.keyId, signedAt: iso(signedAt) };
    const message = `the signature by ${describeKey(candidates[0])} does not verify over the signed bytes: ${why}`;
    return { info, reason: { code: 'bad-signature', message }, warnings: [] };
  }
  return judge(match, packet, signedAt, context);
}

function judge(match: SigningCandidate, packet: SignaturePacket, signedAt: Date, context: SignatureContext): SignatureCheck {
  const times = { signedAt, commitTime: context.commitTime, now: context.now };
  const sigExpiry = packet.getExpirationTime();
  let reason: Reason | null = null;
  if (!match.key.canSign) {
    reason = { code: 'bad-signature', message: `${describeKey(match)} may not make signatures: ${match.key.problem ?? 'unknown'}` };
  }
  else if (signedAt.getTime() > context.now.getTime() + FUTURE_SKEW_MS) {
    reason = { code: 'bad-signature', message: `the signature is dated in the future (${iso(signedAt)})` };
  }
  reason ??= revocationProblem(match, context.now) ?? roleProblem(match, context.role) ?? expiryProblem(match, times);
  if (!reason && sigExpiry instanceof Date && sigExpiry.getTime() <= context.now.getTime()) {
    reason = { code: 'expired-key', message: `the signature itself expired on ${iso(sigExpiry)}` };
  }
  const facts = match.trusted.facts;
  const info: SignatureInfo = {
    status: reason ? STATUS[reason.code as SignatureReasonCode] : 'good',
    format: 'openpgp',
    keyId: match.key.keyId,
    fingerprint: match.trusted.fingerprint,
    signer: { name: facts.userId?.name ?? '', email: facts.userId?.email ?? '', roles: [...match.trusted.roles] },
    signedAt: iso(signedAt),
  };
  return { info, reason, warnings: timeWarnings(times) };
}

function issuerOf(packet: SignaturePacket): { keyId: string | null; fingerprint: string | null } {
  const keyId = packet.issuerKeyID.toHex().toUpperCase();
  const fingerprint = hex(packet.issuerFingerprint);
  const wildcard = /^0+$/.test(keyId);
  // The issuer fingerprint (hashed, v4: 20 bytes, v6: 32 bytes) names the key exactly.
  return { keyId: wildcard ? fingerprintKeyId(fingerprint) : keyId, fingerprint };
}

function fingerprintKeyId(fingerprint: string | null): string | null {
  if (!fingerprint) return null;
  return fingerprint.length === 64 ? fingerprint.slice(0, 16) : fingerprint.slice(-16);
}

function emptyInfo(status: SignatureStatus, format: SignatureFormat | null): SignatureInfo {
  return { status, format, keyId: null, fingerprint: null, signer: null, signedAt: null };
}

function failed(code: SignatureReasonCode, format: SignatureFormat | null, message: string): SignatureCheck {
  return { info: emptyInfo(STATUS[code], format), reason: { code, message }, warnings: [] };
}

export function statusOf(code: SignatureReasonCode): SignatureStatus {
  return STATUS[code];
}
