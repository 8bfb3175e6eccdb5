import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { config, enums, type PublicKey, type SignaturePacket, type Subkey } from 'openpgp';

/**
 * The fast path of a document signature check: the OpenPGP signature hash computed here as RFC
 * 9580 §5.2.4 defines it (v6: salt; the data, EOLs canonicalised for text signatures; the version
 * through the hashed subpackets; the trailer), its 16-bit quick check, and the public-key check
 * with node:crypto on a KeyObject made once per key packet, off this thread (no WebCrypto import
 * and job per signature, as openpgp.js does).
 *
 * It answers `true` only when openpgp.js's `SignaturePacket.verify` (without time checks, as
 * openpgp.adapter.ts calls it) would succeed: the same issuer and algorithm checks, the same
 * hash, curve and parameter-size rules, the same refusals (rejected hashes, critical unknown
 * subpackets or notations, revocation keys). Anything it does not handle exactly like that
 * (v5 signatures, DSA, Ed448, SHA-224, SHA-3, Brainpool, streams), and EVERY failure, answers
 * `false`: the caller then asks openpgp.js, whose answer (and message) stands. So a valid
 * signature is confirmed fast, and anything else is decided as before.
 */

type KeyPacket = PublicKey['keyPacket'] | Subkey['keyPacket'];

/** Members openpgp.js's SignaturePacket has at run time but does not declare. */
interface SignatureInternals {
  params: unknown;
  salt: Uint8Array | null;
  hashed?: unknown;
}

type Mpi = Uint8Array;
interface EcParams { r: Mpi; s: Mpi }

/** A key packet made ready for node:crypto, or null when the fast path does not handle it. */
interface NativeKey {
  object: KeyObject;
  kind: 'eddsa' | 'ecdsa' | 'rsa';
  /** ECDSA: bytes of r and s; RSA: bytes of the modulus. */
  size: number;
}

const HASHES: ReadonlyMap<number, { name: string; bytes: number; salt: number }> = new Map([
  [enums.hash.sha256, { name: 'sha256', bytes: 32, salt: 16 }],
  [enums.hash.sha384, { name: 'sha384', bytes: 48, salt: 24 }],
  [enums.hash.sha512, { name: 'sha512', bytes: 64, salt: 32 }],
]);

const EC_CURVES: Record<string, { jwk: string; size: number }> = {
  [enums.curve.nistP256]: { jwk: 'P-256', size: 32 },
  [enums.curve.nistP384]: { jwk: 'P-384', size: 48 },
  [enums.curve.nistP521]: { jwk: 'P-521', size: 66 },
};

const keys = new WeakMap<KeyPacket, NativeKey | null>();

/** True when `signature` by `key` verifies over `data`; false means "ask openpgp.js". Never throws. */
export async function verifiesNatively(signature: SignaturePacket, key: KeyPacket, data: Uint8Array): Promise<boolean> {
  try {
    const prepared = prepare(signature, key, data);
    if (!prepared) return false;
    return await new Promise<boolean>((resolve) => {
      cryptoVerify(prepared.algorithm, prepared.message, prepared.key, prepared.signature, (err, ok) => resolve(!err && ok === true));
    });
  } catch {
    return false;
  }
}

interface Prepared {
  algorithm: string | null;
  message: Uint8Array;
  /** The KeyObject itself where no option is needed (node:crypto reads it fastest so). */
  key: KeyObject | VerifyKeyObjectInput;
  signature: Uint8Array;
}

function prepare(signature: SignaturePacket, key: KeyPacket, data: Uint8Array): Prepared | null {
  const internals = signature as unknown as SignatureInternals;
  const hash = HASHES.get(signature.hashAlgorithm ?? -1);
  if (!hash || !plainSignature(signature, internals) || !signature.issuerKeyID.equals(key.getKeyID())) return null;
  if (signature.publicKeyAlgorithm !== key.algorithm || !signature.signatureData || !signature.signedHashValue) return null;
  const native = nativeKey(key);
  if (!native) return null;
  const toHash = hashedBytes(signature, internals, hash.salt, data);
  if (!toHash) return null;
  const digest = createHash(hash.name);
  for (const part of toHash) digest.update(part);
  const hashed = digest.digest();
  if (hashed[0] !== signature.signedHashValue[0] || hashed[1] !== signature.signedHashValue[1]) return null;
  const material = signatureMaterial(signature.publicKeyAlgorithm as number, internals.params, native);
  if (!material) return null;
  // EdDSA (legacy and v6 Ed25519) signs the digest itself; ECDSA and RSA hash the data.
  if (native.kind === 'eddsa') return { algorithm: null, message: hashed, key: native.object, signature: material };
  const message = Buffer.concat(toHash);
  if (native.kind === 'ecdsa') return { algorithm: hash.name, message, key: { key: native.object, dsaEncoding: 'ieee-p1363' }, signature: material };
  return { algorithm: hash.name, message, key: native.object, signature: material };
}

/** What openpgp.js refuses after the cryptography, and whatever this path does not handle: not plain. */
function plainSignature(signature: SignaturePacket, internals: SignatureInternals): boolean {
  const type = signature.signatureType;
  if (type !== enums.signature.binary && type !== enums.signature.text) return false;
  if (signature.version !== 4 && signature.version !== 6) return false;
  if (internals.hashed !== undefined && internals.hashed !== null) return false;
  if (internals.params === null || typeof internals.params !== 'object' || internals.params instanceof Promise) return false;
  const algorithm = signature.hashAlgorithm as enums.hash;
  if (config.rejectHashAlgorithms.has(algorithm) || config.rejectMessageHashAlgorithms.has(algorithm)) return false;
  if (signature.unknownSubpackets.some((s) => s.critical)) return false;
  if (signature.rawNotations.some((n) => n.critical && !config.knownNotations.includes(n.name))) return false;
  return signature.revocationKeyClass === null;
}

/** RFC 9580 §5.2.4: [salt] ‖ data ‖ version…hashed subpackets ‖ version, 0xFF, length (4 octets). */
function hashedBytes(signature: SignaturePacket, internals: SignatureInternals, saltLength: number, data: Uint8Array): Uint8Array[] | null {
  const signatureData = signature.signatureData as Uint8Array;
  const trailer = Buffer.alloc(6);
  trailer[0] = signature.version;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(signatureData.length, 2);
  const body = signature.signatureType === enums.signature.text ? canonicalEol(data) : data;
  if (signature.version === 4) return [body, signatureData, trailer];
  const salt = internals.salt;
  if (!(salt instanceof Uint8Array) || salt.length !== saltLength) return null;
  return [salt, body, signatureData, trailer];
}

/** A text signature is over the text with every line ending CR LF (a lone LF gets a CR; a lone CR stays). */
export function canonicalEol(data: Uint8Array): Uint8Array {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) {
    if (at > 0 && bytes[at - 1] === 0x0d) continue;
    parts.push(bytes.subarray(from, at), CR);
    from = at;
  }
  if (parts.length === 0) return data;
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

const CR = Buffer.from([0x0d]);

/** The signature's public-key material as node:crypto takes it, with openpgp.js's size rules. */
function signatureMaterial(algorithm: number, params: unknown, key: NativeKey): Uint8Array | null {
  const p = params as Partial<EcParams & { s: Mpi; RS: Uint8Array }>;
  switch (algorithm) {
    case enums.publicKey.ed25519:
      return p.RS instanceof Uint8Array && p.RS.length === 64 ? p.RS : null;
    case enums.publicKey.eddsaLegacy:
      return pair(p, 32);
    case enums.publicKey.ecdsa:
      return pair(p, key.size);
    case enums.publicKey.rsaEncryptSign:
    case enums.publicKey.rsaSign:
      return p.s instanceof Uint8Array ? leftPad(p.s, key.size) : null;
    default:
      return null;
  }
}

function pair(p: Partial<EcParams>, size: number): Uint8Array | null {
  if (!(p.r instanceof Uint8Array) || !(p.s instanceof Uint8Array)) return null;
  const r = leftPad(p.r, size);
  const s = leftPad(p.s, size);
  return r && s ? Buffer.concat([r, s]) : null;
}

/** Big-endian value padded to `size` bytes; longer is refused (openpgp.js throws there too). */
function leftPad(value: Uint8Array, size: number): Uint8Array | null {
  if (value.length > size) return null;
  if (value.length === size) return value;
  const padded = Buffer.alloc(size);
  padded.set(value, size - value.length);
  return padded;
}

function nativeKey(packet: KeyPacket): NativeKey | null {
  let native = keys.get(packet);
  if (native === undefined) {
    try {
      native = importKey(packet);
    } catch {
      native = null;
    }
    keys.set(packet, native);
  }
  return native;
}

/** The key packet as a node:crypto KeyObject, with openpgp.js's point-encoding checks. */
function importKey(packet: KeyPacket): NativeKey | null {
  const params = packet.publicParams as Partial<{ Q: Uint8Array; A: Uint8Array; n: Uint8Array; e: Uint8Array }>;
  const curve = packet.getAlgorithmInfo().curve;
  switch (packet.algorithm) {
    case enums.publicKey.ed25519:
      return params.A instanceof Uint8Array && params.A.length === 32 ? okp(params.A) : null;
    case enums.publicKey.eddsaLegacy: {
      const q = params.Q;
      if (curve !== enums.curve.ed25519Legacy || !(q instanceof Uint8Array) || q.length !== 33 || q[0] !== 0x40) return null;
      return okp(q.subarray(1));
    }
    case enums.publicKey.ecdsa: {
      const spec = curve === undefined ? undefined : EC_CURVES[curve];
      const q = params.Q;
      if (!spec || !(q instanceof Uint8Array) || q.length !== 1 + 2 * spec.size || q[0] !== 0x04) return null;
      const x = b64(q.subarray(1, 1 + spec.size));
      const y = b64(q.subarray(1 + spec.size));
      return { object: createPublicKey({ key: { kty: 'EC', crv: spec.jwk, x, y }, format: 'jwk' }), kind: 'ecdsa', size: spec.size };
    }
    case enums.publicKey.rsaEncryptSign:
    case enums.publicKey.rsaSign: {
      if (!(params.n instanceof Uint8Array) || !(params.e instanceof Uint8Array) || params.n.length === 0) return null;
      const object = createPublicKey({ key: { kty: 'RSA', n: b64(params.n), e: b64(params.e) }, format: 'jwk' });
      return { object, kind: 'rsa', size: params.n.length };
    }
    default:
      return null;
  }
}

function okp(x: Uint8Array): NativeKey {
  return { object: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(x) }, format: 'jwk' }), kind: 'eddsa', size: 32 };
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
