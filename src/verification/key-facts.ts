import {
  enums,
  keyWeakness,
  primaryExpiry,
  primarySelfSignature,
  primaryUserId,
  verifyKeySignature,
  type KeyPacket,
  type PublicKey,
  type SignaturePacket,
  type Subkey,
} from './openpgp.adapter';

/**
 * Everything verification needs to know about a key, computed ONCE when the key enters the trust
 * store (self-signatures, bindings and revocations verified cryptographically, without time
 * checks); per-signature checks are then plain date comparisons.
 */
export interface Revocation {
  at: Date;
  reason: string;
}

export interface KeyFacts {
  keyId: string;
  fingerprint: string;
  packet: KeyPacket;
  isPrimary: boolean;
  created: Date;
  /** Null: never expires. */
  expires: Date | null;
  revocation: Revocation | null;
  /** The key may make document signatures (key flags), with a valid binding and back-signature for subkeys. */
  canSign: boolean;
  /** Why it may not, when canSign is false. */
  problem: string | null;
}

export interface PrimaryFacts extends KeyFacts {
  version: number;
  userId: { name: string; email: string } | null;
  subkeys: KeyFacts[];
}

const REVOCATION_REASONS: Record<number, string> = {
  0: 'no reason specified',
  1: 'key superseded',
  2: 'key compromised',
  3: 'key retired',
  32: 'user ID no longer valid',
};

export class KeyFactsError extends Error {}

export async function keyFacts(key: PublicKey): Promise<PrimaryFacts> {
  const primary = key.keyPacket;
  const selfSignature = await primarySelfSignature(key);
  if (!selfSignature) throw new KeyFactsError('the key has no valid self-signature');
  const revocation = await firstValidRevocation(key.revocationSignatures, primary, enums.signature.keyRevocation, { key: primary });
  const weakPrimary = keyWeakness(primary);
  const subkeys = (await Promise.all(key.subkeys.map((s) => subkeyFacts(key, s)))).map((s) =>
    weakPrimary && s.canSign ? { ...s, canSign: false, problem: `its primary key is refused: ${weakPrimary}` } : s,
  );
  return {
    keyId: key.getKeyID().toHex().toUpperCase(),
    fingerprint: key.getFingerprint().toUpperCase(),
    packet: primary,
    isPrimary: true,
    created: primary.created,
    expires: await primaryExpiry(key),
    revocation,
    ...capability(primary, allowsSigning(selfSignature) ? null : 'its self-signature does not allow signing'),
    version: primary.version,
    userId: await primaryUserId(key),
    subkeys,
  };
}

async function subkeyFacts(key: PublicKey, subkey: Subkey): Promise<KeyFacts> {
  const primary = key.keyPacket;
  const data = { key: primary, bind: subkey.keyPacket };
  const binding = await latestValid(subkey.bindingSignatures, primary, enums.signature.subkeyBinding, data);
  const base = {
    keyId: subkey.getKeyID().toHex().toUpperCase(),
    fingerprint: subkey.getFingerprint().toUpperCase(),
    packet: subkey.keyPacket,
    isPrimary: false,
    created: subkey.keyPacket.created,
    revocation: await firstValidRevocation(subkey.revocationSignatures, primary, enums.signature.subkeyRevocation, data),
  };
  if (!binding) return { ...base, expires: null, canSign: false, problem: 'it has no valid binding signature' };
  const expires = expiryOf(subkey.keyPacket, binding);
  if (!allowsSigning(binding)) return { ...base, expires, ...capability(subkey.keyPacket, 'its binding does not allow signing') };
  // A signing subkey must sign the primary back (embedded 0x19), or anyone could claim it.
  const backSigned =
    binding.embeddedSignature !== null &&
    (await verifyKeySignature(binding.embeddedSignature, subkey.keyPacket, enums.signature.keyBinding, data));
  return { ...base, expires, ...capability(subkey.keyPacket, backSigned ? null : 'it has no valid back-signature') };
}

function capability(packet: KeyPacket, problem: string | null): { canSign: boolean; problem: string | null } {
  const why = problem ?? keyWeakness(packet);
  return { canSign: why === null, problem: why };
}

async function latestValid(
  signatures: SignaturePacket[],
  signer: KeyPacket,
  type: enums.signature,
  data: object,
): Promise<SignaturePacket | null> {
  let latest: SignaturePacket | null = null;
  for (const sig of signatures) {
    if (latest && sig.created && latest.created && sig.created < latest.created) continue;
    if (await verifyKeySignature(sig, signer, type, data)) latest = sig;
  }
  return latest;
}

/** Any cryptographically valid revocation counts, whatever its reason or date (fail closed). */
async function firstValidRevocation(
  signatures: SignaturePacket[],
  signer: KeyPacket,
  type: enums.signature,
  data: object,
): Promise<Revocation | null> {
  for (const sig of signatures) {
    if (await verifyKeySignature(sig, signer, type, data)) {
      const code = sig.reasonForRevocationFlag ?? 0;
      const text = sig.reasonForRevocationString ? `: ${sig.reasonForRevocationString}` : '';
      return { at: sig.created ?? new Date(0), reason: `${REVOCATION_REASONS[code] ?? `reason ${code}`}${text}` };
    }
  }
  return null;
}

function allowsSigning(signature: SignaturePacket): boolean {
  return !signature.keyFlags || (signature.keyFlags[0] & enums.keyFlags.signData) !== 0;
}

function expiryOf(packet: KeyPacket, signature: SignaturePacket): Date | null {
  let expiry = Infinity;
  if (signature.keyNeverExpires === false && signature.keyExpirationTime) {
    expiry = packet.created.getTime() + signature.keyExpirationTime * 1000;
  }
  const sigExpiry = signature.getExpirationTime();
  const end = Math.min(expiry, sigExpiry instanceof Date ? sigExpiry.getTime() : Infinity);
  return Number.isFinite(end) ? new Date(end) : null;
}
