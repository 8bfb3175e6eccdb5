import { createPrivateKey, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { HASH_SIZE } from './merkle';
import { LedgerException } from './ledger.exception';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) bodies carried in C2SP signed notes
 * (https://c2sp.org/signed-note) signed with Ed25519. Our one extension line,
 * `gitseal-chain <base64 chain head>`, binds the linear hash chain to the signature.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** The chain head after the last entry of the tree (CHAIN_GENESIS for an empty log). */
  chain: Buffer;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: Buffer; // 4 bytes
  readonly publicKey: Buffer; // 32 bytes, RFC 8032 encoding
  readonly privateKey: KeyObject;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
  readonly key: KeyObject;
  /** The verifier key text `name+hex8+base64(0x01‖publicKey)`. */
  readonly text: string;
}

export interface OpenedNote {
  /** The note text the signature covers, ending in a newline. */
  body: string;
  /** Signature lines by other keys, ignored as the spec requires. */
  otherSignatures: number;
}

export const MAX_NOTE_BYTES = 1024 * 1024;
export const MAX_NOTE_SIGNATURES = 100;
const ED25519 = 0x01;
const EM_DASH_SPACE = '\u2014 ';
const CHAIN_EXTENSION = 'gitseal-chain ';
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function fail(code: 'invalid-note' | 'invalid-checkpoint' | 'invalid-key', message: string): never {
  throw new LedgerException(code, message);
}

/** Standard base64 with padding, and nothing else (the decoder alone would skip junk). */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function isValidName(name: string): boolean {
  return name.length > 0 && !/[\s+\u0000-\u001f\u007f]/u.test(name) && !/\p{Cs}/u.test(name);
}

export function keyIdFor(name: string, publicKey: Uint8Array): Buffer {
  const input = Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, ED25519]), publicKey]);
  return hash('sha256', input, 'buffer').subarray(0, 4);
}

// ---- keys ---------------------------------------------------------------------------------

function signerFromSeed(name: string, seed: Buffer): NoteSigner {
  if (!isValidName(name)) fail('invalid-key', 'key name must be non-empty, without spaces or "+"');
  if (seed.length !== 32) fail('invalid-key', 'an Ed25519 private key is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = Buffer.from(spki.subarray(SPKI_ED25519_PREFIX.length));
  return { name, keyId: keyIdFor(name, publicKey), publicKey, privateKey };
}

/** Parses `PRIVATE+KEY+name+hex8+base64(0x01‖seed)`. Errors never echo the key text. */
export function parseSignerKey(text: string): NoteSigner {
  const parts = text.trim().split('+');
  if (parts.length < 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    fail('invalid-key', 'not a signer key (expected PRIVATE+KEY+<name>+<hex id>+<base64 key>)');
  }
  const [, , name, hexId] = parts;
  const raw = decodeBase64Strict(parts.slice(4).join('+'));
  if (!raw || raw.length !== 33 || raw[0] !== ED25519) fail('invalid-key', 'signer key: the key part is not base64 of an Ed25519 key (0x01 ‖ 32 bytes)');
  const signer = signerFromSeed(name, raw.subarray(1));
  if (hexId !== signer.keyId.toString('hex')) fail('invalid-key', `signer key ${name}: key id ${hexId} does not match the key`);
  return signer;
}

export function formatSignerKey(signer: NoteSigner): string {
  const der = signer.privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = der.subarray(PKCS8_ED25519_PREFIX.length);
  return `PRIVATE+KEY+${signer.name}+${signer.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`;
}

export function generateSigner(name: string, seed: Buffer): NoteSigner {
  return signerFromSeed(name, seed);
}

/** The verifier key text `name+hex8+base64(0x01‖publicKey)` an auditor is given. */
export function verifierKeyFor(signer: NoteSigner): string {
  return `${signer.name}+${signer.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), signer.publicKey]).toString('base64')}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = first < 0 ? -1 : trimmed.indexOf('+', first + 1);
  if (first < 0 || second < 0) fail('invalid-key', 'not a verifier key (expected <name>+<hex id>+<base64 key>)');
  const name = trimmed.slice(0, first);
  const hexId = trimmed.slice(first + 1, second);
  if (name === 'PRIVATE') fail('invalid-key', 'this is a private signer key; give the public verifier key');
  if (!isValidName(name)) fail('invalid-key', 'verifier key: the name must be non-empty, without spaces or "+"');
  if (!/^[0-9a-f]{8}$/.test(hexId)) fail('invalid-key', `verifier key ${name}: key id must be 8 lowercase hex digits`);
  const raw = decodeBase64Strict(trimmed.slice(second + 1));
  if (!raw || raw.length !== 33) fail('invalid-key', `verifier key ${name}: the key part is not base64 of 33 bytes`);
  if (raw[0] !== ED25519) fail('invalid-key', `verifier key ${name}: unsupported signature type 0x${raw[0].toString(16).padStart(2, '0')} (only Ed25519, 0x01)`);
  const publicKey = Buffer.from(raw.subarray(1));
  const keyId = keyIdFor(name, publicKey);
  if (keyId.toString('hex') !== hexId) fail('invalid-key', `verifier key ${name}: key id ${hexId} does not match the key (expected ${keyId.toString('hex')})`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    fail('invalid-key', `verifier key ${name}: not a valid Ed25519 public key`);
  }
  return { name, keyId, publicKey, key, text: `${name}+${hexId}+${raw.toString('base64')}` };
}

// ---- signed notes ---------------------------------------------------------------------------

function checkNoteText(text: string, what: string): void {
  if (/\p{Cs}/u.test(text)) fail('invalid-note', `${what} is not valid UTF-8 (unpaired surrogate)`);
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) fail('invalid-note', `${what} holds a control character other than newline`);
}

export function signNote(body: string, signer: NoteSigner): string {
  if (body.length === 0 || !body.endsWith('\n')) fail('invalid-note', 'note text must be non-empty and end in a newline');
  checkNoteText(body, 'note text');
  const signature = sign(null, Buffer.from(body, 'utf8'), signer.privateKey);
  const blob = Buffer.concat([signer.keyId, signature]).toString('base64');
  const note = `${body}\n${EM_DASH_SPACE}${signer.name} ${blob}\n`;
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) fail('invalid-note', `a signed note must stay under ${MAX_NOTE_BYTES} bytes`);
  return note;
}

interface SignatureLine {
  name: string;
  keyId: Buffer;
  signature: Buffer;
}

function parseSignatureLine(line: string, n: number): SignatureLine {
  if (!line.startsWith(EM_DASH_SPACE)) fail('invalid-note', `signature line ${n} does not start with an em dash and a space`);
  const rest = line.slice(EM_DASH_SPACE.length);
  const space = rest.indexOf(' ');
  if (space <= 0) fail('invalid-note', `signature line ${n} has no key name and signature`);
  const name = rest.slice(0, space);
  if (!isValidName(name)) fail('invalid-note', `signature line ${n}: invalid key name`);
  const blob = decodeBase64Strict(rest.slice(space + 1));
  if (!blob || blob.length < 5) fail('invalid-note', `signature line ${n} (${name}): the signature is not valid base64 of a key id and signature`);
  return { name, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
}

function splitNote(text: string): { body: string; lines: string[] } {
  if (Buffer.byteLength(text, 'utf8') > MAX_NOTE_BYTES) fail('invalid-note', `signed note is larger than ${MAX_NOTE_BYTES} bytes`);
  checkNoteText(text, 'signed note');
  if (!text.endsWith('\n')) fail('invalid-note', 'signed note does not end in a newline');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) fail('invalid-note', 'signed note has no blank line before its signatures');
  const body = text.slice(0, split + 1);
  const lines = text.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) fail('invalid-note', `signed note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  return { body, lines };
}

/**
 * Opens a signed note with one trusted key: every signature line by that key (same name and key
 * id) must verify, and at least one must be present; lines by other keys are ignored. Keys
 * carried inside the note are never trusted.
 */
export function openNote(text: string, verifierKey: string | NoteVerifier): OpenedNote {
  const verifier = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  const { body, lines } = splitNote(text);
  const message = Buffer.from(body, 'utf8');
  let ours = 0;
  lines.forEach((line, i) => {
    const sig = parseSignatureLine(line, i + 1);
    if (sig.name !== verifier.name || !sig.keyId.equals(verifier.keyId)) return;
    ours++;
    if (sig.signature.length !== 64 || !verify(null, message, verifier.key, sig.signature)) {
      fail('invalid-note', `signature does not verify with key ${verifier.text}`);
    }
  });
  if (ours === 0) fail('invalid-note', `not signed by key ${verifier.text}`);
  return { body, otherSignatures: lines.length - ours };
}

// ---- checkpoints ----------------------------------------------------------------------------

export function formatCheckpoint(cp: Checkpoint): string {
  if (!isValidName(cp.origin)) fail('invalid-checkpoint', 'origin must be non-empty, without spaces or "+"');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) fail('invalid-checkpoint', 'size must be a non-negative integer');
  if (cp.root.length !== HASH_SIZE || cp.chain.length !== HASH_SIZE) fail('invalid-checkpoint', 'root and chain head must be 32-byte hashes');
  return `${cp.origin}\n${cp.size}\n${cp.root.toString('base64')}\n${CHAIN_EXTENSION}${cp.chain.toString('base64')}\n`;
}

function parseHashLine(text: string, what: string): Buffer {
  const bytes = decodeBase64Strict(text);
  if (!bytes || bytes.length !== HASH_SIZE) fail('invalid-checkpoint', `checkpoint ${what} is not base64 of a 32-byte hash`);
  return bytes;
}

/** Parses a checkpoint body strictly: exactly origin, size, root and our chain line. */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) fail('invalid-checkpoint', 'checkpoint does not end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 4) fail('invalid-checkpoint', `checkpoint has ${lines.length} lines; expected origin, size, root and ${CHAIN_EXTENSION.trim()}`);
  if (lines.length > 4) fail('invalid-checkpoint', `checkpoint has unexpected extension lines after ${CHAIN_EXTENSION.trim()}`);
  const [origin, sizeText, rootText, chainLine] = lines;
  if (!isValidName(origin)) fail('invalid-checkpoint', 'checkpoint origin is empty or holds spaces or "+"');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    fail('invalid-checkpoint', 'checkpoint size is not a decimal number without leading zeros');
  }
  if (!chainLine.startsWith(CHAIN_EXTENSION)) fail('invalid-checkpoint', `checkpoint line 4 is not "${CHAIN_EXTENSION}<base64>"`);
  return {
    origin,
    size: Number(sizeText),
    root: parseHashLine(rootText, 'root'),
    chain: parseHashLine(chainLine.slice(CHAIN_EXTENSION.length), 'chain head'),
  };
}

export function signCheckpoint(cp: Checkpoint, signer: NoteSigner): string {
  if (cp.origin !== signer.name) fail('invalid-checkpoint', `checkpoint origin ${cp.origin} differs from the key name ${signer.name}`);
  return signNote(formatCheckpoint(cp), signer);
}

/** Opens a signed checkpoint with the trusted key and parses its body. */
export function openCheckpoint(text: string, verifierKey: string | NoteVerifier): Checkpoint & { otherSignatures: number } {
  const note = openNote(text, verifierKey);
  return { ...parseCheckpoint(note.body), otherSignatures: note.otherSignatures };
}
