import * as openpgp from 'openpgp';
import type { PublicKey, SignaturePacket, Subkey } from 'openpgp';
import { verifiesNatively } from './openpgp-native.adapter';

/**
 * The one place that talks to openpgp.js (in process, no gpg): reading keys and detached
 * signatures, and checking one signature packet against one key packet over given bytes. Time
 * rules are NOT applied here (dates are passed as null): verification decides them itself
 * (key-validity.ts), so that expired, revoked and bad are told apart precisely.
 */

type KeyPacket = PublicKey['keyPacket'] | Subkey['keyPacket'];

/** What openpgp.js hashes for a message signature: the bytes (text signatures canonicalise EOLs). */
interface SignedData {
  text: null;
  getBytes(): Uint8Array;
}

/** Members openpgp.js has at run time but does not declare. */
interface CleartextInternals {
  signature: openpgp.Signature;
}

interface KeyInternals {
  getPrimarySelfSignature(date: Date | null, userID?: object, config?: openpgp.Config): Promise<SignaturePacket>;
}

const NO_DATE = null as unknown as Date; // openpgp.js skips every time check when the date is null

export const MAX_SIGNATURE_TEXT = 64 * 1024;
export const MAX_KEY_TEXT = 1024 * 1024;

export class OpenPgpFormatError extends Error {}

export async function readArmoredKey(armored: string): Promise<PublicKey> {
  if (armored.length > MAX_KEY_TEXT) throw new OpenPgpFormatError(`armored key is over ${MAX_KEY_TEXT} bytes`);
  const blocks = armored.match(/^-----BEGIN PGP [A-Z ]+-----$/gm) ?? [];
  if (blocks.length !== 1) throw new OpenPgpFormatError(`expected one key, found ${blocks.length} armored blocks`);
  if (/^-----END PGP [A-Z ]+-----\s*\S/m.test(armored)) throw new OpenPgpFormatError('text after the armored key');
  const keys = await openpgp.readKeys({ armoredKeys: armored });
  if (keys.length !== 1) throw new OpenPgpFormatError(`expected one key, found ${keys.length}`);
  const key = keys[0];
  if (key.isPrivate()) throw new OpenPgpFormatError('this is a secret key: give the public key (gpg --armor --export)');
  return key;
}

/**
 * Reads an armored detached signature: exactly one `PGP SIGNATURE` armor block (RFC 9580 §6.2,
 * decoded here, strictly) holding exactly one signature packet of type binary (0x00) or text
 * (0x01); nothing else around it.
 */
export async function readDetachedSignature(text: string): Promise<SignaturePacket> {
  if (text.length > MAX_SIGNATURE_TEXT) throw new OpenPgpFormatError(`signature is over ${MAX_SIGNATURE_TEXT} bytes`);
  const binary = dearmorSignature(text);
  const packet = directSignaturePacket(binary) ?? (await readSignaturePackets(binary));
  if (packet.signatureType !== openpgp.enums.signature.binary && packet.signatureType !== openpgp.enums.signature.text) {
    throw new OpenPgpFormatError(`signature type ${packet.signatureType} is not a document signature`);
  }
  if (!packet.created) throw new OpenPgpFormatError('signature has no creation time');
  return packet;
}

async function readSignaturePackets(binary: Uint8Array): Promise<SignaturePacket> {
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ binarySignature: binary });
  } catch (err) {
    throw new OpenPgpFormatError(`unreadable signature: ${err instanceof Error ? err.message : String(err)}`);
  }
  const packets = signature.packets;
  if (packets.length !== 1) throw new OpenPgpFormatError(`expected one signature packet, found ${packets.length}`);
  return packets[0];
}

/**
 * The common case read directly: ONE signature packet (tag 2, definite length) spanning exactly
 * the bytes, parsed by openpgp.js's SignaturePacket as its packet list would. Anything else (other
 * or several packets, partial or indeterminate lengths, a packet that does not parse) gives null,
 * and openpgp.js's packet list reads it, with its own rules and messages.
 */
export function directSignaturePacket(binary: Uint8Array): SignaturePacket | null {
  const header = packetHeader(binary);
  if (!header || header.tag !== openpgp.enums.packet.signature || header.start + header.length !== binary.length) return null;
  try {
    const packet = new openpgp.SignaturePacket();
    // a plain Uint8Array view (not a Buffer), as openpgp.js's packet list hands its packets
    packet.read(new Uint8Array(binary.buffer, binary.byteOffset + header.start, header.length));
    return packet;
  } catch {
    return null;
  }
}

/** RFC 9580 §4.2 packet header: tag, where the body starts, its length (null: partial or indeterminate). */
function packetHeader(b: Uint8Array): { tag: number; start: number; length: number } | null {
  if (b.length < 2 || (b[0] & 0x80) === 0) return null;
  const u32 = (at: number) => (b.length < at + 4 ? -1 : ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3]);
  if (b[0] & 0x40) {
    const tag = b[0] & 0x3f;
    const first = b[1];
    if (first < 192) return { tag, start: 2, length: first };
    if (first < 224) return b.length < 3 ? null : { tag, start: 3, length: ((first - 192) << 8) + b[2] + 192 };
    if (first === 255) return u32(2) < 0 ? null : { tag, start: 6, length: u32(2) };
    return null;
  }
  const tag = (b[0] >> 2) & 0x0f;
  switch (b[0] & 0x03) {
    case 0:
      return { tag, start: 2, length: b[1] };
    case 1:
      return b.length < 3 ? null : { tag, start: 3, length: (b[1] << 8) + b[2] };
    case 2:
      return u32(1) < 0 ? null : { tag, start: 5, length: u32(1) };
    default:
      return null;
  }
}

const BEGIN = '-----BEGIN PGP SIGNATURE-----';
const END = '-----END PGP SIGNATURE-----';
const ARMOR_HEADER = /^[A-Za-z][A-Za-z0-9-]*: .*$/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const CHECKSUM_LINE = /^=[A-Za-z0-9+/]{4}$/;

/** The packet bytes of one armored signature block; anything else (other blocks, junk) is refused. */
export function dearmorSignature(text: string): Uint8Array {
  const lines = text.replace(/\r\n/g, '\n').trim().split('\n').map((l) => l.replace(/[ \t]+$/, ''));
  if (lines[0] !== BEGIN) throw new OpenPgpFormatError('not an armored detached signature (a signed message is not accepted)');
  if (lines[lines.length - 1] !== END || lines.indexOf(END) !== lines.length - 1) {
    throw new OpenPgpFormatError('expected exactly one armored signature block and nothing after it');
  }
  let i = 1;
  while (i < lines.length - 1 && lines[i] !== '') {
    if (!ARMOR_HEADER.test(lines[i])) throw new OpenPgpFormatError(`bad armor header line '${lines[i].slice(0, 60)}'`);
    i++;
  }
  if (lines[i] !== '') throw new OpenPgpFormatError('armor has no blank line before its data');
  let body = lines.slice(i + 1, -1);
  if (body.length > 0 && CHECKSUM_LINE.test(body[body.length - 1])) body = body.slice(0, -1); // CRC24: integrity comes from the signature itself
  if (body.length === 0 || body.some((l) => !BASE64_LINE.test(l))) throw new OpenPgpFormatError('armor data is not base64');
  const joined = body.join('');
  if (joined.length % 4 !== 0 || /=[^=]/.test(joined)) throw new OpenPgpFormatError('armor data is not base64');
  return Buffer.from(joined, 'base64');
}

/**
 * True when `signature` by `key` is cryptographically valid over `data` (and uses no rejected
 * algorithm). A plain signature is confirmed by the native fast path (openpgp-native.adapter.ts);
 * anything else, and every failure, is decided by openpgp.js, whose message is the answer's.
 */
export async function verifyOver(signature: SignaturePacket, key: KeyPacket, data: Uint8Array): Promise<{ ok: boolean; why?: string }> {
  if (await verifiesNatively(signature, key, data)) return { ok: true };
  return verifyWithOpenPgp(signature, key, data);
}

/** verifyOver through openpgp.js alone (the reference the fast path is tested against). */
export async function verifyWithOpenPgp(signature: SignaturePacket, key: KeyPacket, data: Uint8Array): Promise<{ ok: boolean; why?: string }> {
  const signed: SignedData = { text: null, getBytes: () => data };
  try {
    await signature.verify(key, signature.signatureType as openpgp.enums.signature, signed, NO_DATE, true, openpgp.config);
    return { ok: true };
  } catch (err) {
    return { ok: false, why: err instanceof Error ? err.message : String(err) };
  }
}

/** Verifies a key-related signature (self-certification, binding, revocation) without time checks. */
export async function verifyKeySignature(
  signature: SignaturePacket,
  signer: KeyPacket,
  type: openpgp.enums.signature,
  data: object,
): Promise<boolean> {
  try {
    await signature.verify(signer, type, data, NO_DATE, false, openpgp.config);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why openpgp.js's key requirements refuse this key for signatures (too-short RSA, DSA/ElGamal,
 * rejected curves), or null. Applied here because verification does not go through getSigningKey.
 */
export function keyWeakness(packet: KeyPacket): string | null {
  const { config } = openpgp;
  const info = packet.getAlgorithmInfo();
  const algorithm = packet.algorithm as openpgp.enums.publicKey;
  if (config.rejectPublicKeyAlgorithms.has(algorithm)) return `${info.algorithm} keys are not accepted`;
  const rsa = [openpgp.enums.publicKey.rsaEncryptSign, openpgp.enums.publicKey.rsaSign, openpgp.enums.publicKey.rsaEncrypt];
  if (rsa.includes(algorithm) && (info.bits ?? 0) < config.minRSABits) return `RSA keys of ${info.bits} bits are too short`;
  if (info.curve && config.rejectCurves.has(info.curve as openpgp.enums.curve)) return `the curve ${info.curve} is not accepted`;
  return null;
}

/** The primary key's current self-signature (v4: of the primary user ID; v6: direct-key), or null. */
export async function primarySelfSignature(key: PublicKey): Promise<SignaturePacket | null> {
  try {
    return await (key as unknown as KeyInternals).getPrimarySelfSignature(NO_DATE, {}, openpgp.config);
  } catch {
    return null;
  }
}

/** Primary user ID (name and email), or null when the key has none that is validly self-signed. */
export async function primaryUserId(key: PublicKey): Promise<{ name: string; email: string } | null> {
  try {
    const { user } = await key.getPrimaryUser(NO_DATE);
    return user.userID ? { name: user.userID.name, email: user.userID.email } : null;
  } catch {
    return null;
  }
}

export async function primaryExpiry(key: PublicKey): Promise<Date | null> {
  const expiry = await key.getExpirationTime();
  return expiry instanceof Date ? expiry : null;
}

/** The canonical text of a clear-signed message and its signature packets. */
export async function readClearSigned(text: string): Promise<{ text: string; signatures: SignaturePacket[] }> {
  if (text.length > MAX_SIGNATURE_TEXT) throw new OpenPgpFormatError(`message is over ${MAX_SIGNATURE_TEXT} bytes`);
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: text });
    return { text: message.getText(), signatures: [...(message as unknown as CleartextInternals).signature.packets] };
  } catch (err) {
    throw new OpenPgpFormatError(`unreadable clear-signed message: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Bytes covered by a clear-signed text signature: UTF-8, line ends as CRLF (RFC 9580 §7.1). */
export function clearSignedBytes(text: string): Uint8Array {
  return Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'utf8');
}

export { enums } from 'openpgp';
export type { PublicKey, SignaturePacket, Subkey, KeyPacket };

export function hex(bytes: Uint8Array | null | undefined): string | null {
  return bytes ? Buffer.from(bytes).toString('hex').toUpperCase() : null;
}
