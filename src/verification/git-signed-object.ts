/**
 * Splitting signed Git objects into "what was signed" and "the signature", byte for byte as Git
 * does (git's commit.c `parse_buffer_signed_by_header`, `remove_signature`, and gpg-interface.c
 * `parse_signed_buffer`), so that a signature verifies here exactly when it verifies in git.
 */

export type HashAlgo = 'sha1' | 'sha256';

/** The signature header of each object format (git's gpg_sig_headers). */
export const SIGNATURE_HEADERS: Record<HashAlgo, string> = { sha1: 'gpgsig', sha256: 'gpgsig-sha256' };

/** Lines that start a signature, per format (git's gpg_format table). */
export const SIGNATURE_MARKERS = {
  openpgp: ['-----BEGIN PGP SIGNATURE-----', '-----BEGIN PGP MESSAGE-----'],
  x509: ['-----BEGIN SIGNED MESSAGE-----'],
  ssh: ['-----BEGIN SSH SIGNATURE-----'],
} as const;

const ALL_MARKERS = Object.values(SIGNATURE_MARKERS).flat().map((m) => Buffer.from(m));
const GPGSIG = Buffer.from('gpgsig');
const NL = 0x0a;
const SP = 0x20;

export function hashAlgoOf(objectId: string): HashAlgo {
  return objectId.length === 64 ? 'sha256' : 'sha1';
}

export interface SplitObject {
  /** The bytes the signature is over. */
  payload: Buffer;
  /** The signature text (continuation prefixes removed), or null when unsigned. */
  signature: Buffer | null;
}

/**
 * A commit's signature header for this object format, with its continuation lines, is the
 * signature; it and every other `gpgsig*` header (with continuations) are left out of the
 * payload; every other byte is kept. Several headers of our format are concatenated, as in git.
 */
const HEADER_PREFIXES: Record<HashAlgo, Buffer> = { sha1: Buffer.from('gpgsig '), sha256: Buffer.from('gpgsig-sha256 ') };

export function splitCommitSignature(raw: Buffer, algo: HashAlgo): SplitObject {
  const header = HEADER_PREFIXES[algo];
  const payload: Buffer[] = [];
  const signature: Buffer[] = [];
  let inSignature = false;
  let otherSignature = false;
  let saw = false;
  for (let line = 0; line < raw.length; ) {
    let next = lineEnd(raw, line);
    let sigStart = -1;
    if (inSignature && raw[line] === SP) sigStart = line + 1;
    else if (startsWith(raw, line, header)) {
      sigStart = line + header.length;
      otherSignature = false;
    } else if (startsWith(raw, line, GPGSIG)) otherSignature = true;
    else if (otherSignature && raw[line] !== SP) otherSignature = false;

    if (sigStart >= 0) {
      signature.push(raw.subarray(sigStart, next));
      saw = true;
      inSignature = true;
    } else {
      if (raw[line] === NL) next = raw.length; // the message: keep all of it
      if (!otherSignature) payload.push(raw.subarray(line, next));
      inSignature = false;
    }
    line = next;
  }
  return { payload: Buffer.concat(payload), signature: saw ? Buffer.concat(signature) : null };
}

/**
 * A tag's signature is everything from the LAST line that starts with a signature marker of any
 * format; the payload is what precedes it, without a `gpgsig`/`gpgsig-sha256` header (the
 * other object format's signature), as git 2.39 does.
 */
export function splitTagSignature(raw: Buffer): SplitObject {
  const match = lastSignatureLine(raw);
  if (match === raw.length) return { payload: raw, signature: null };
  return { payload: removeSignatureHeaders(raw.subarray(0, match)), signature: raw.subarray(match) };
}

function lastSignatureLine(raw: Buffer): number {
  let match = raw.length;
  for (let line = 0; line < raw.length; line = lineEnd(raw, line)) {
    if (ALL_MARKERS.some((m) => startsWith(raw, line, m))) match = line;
  }
  return match;
}

/** git 2.39 `remove_signature`: drops the last `gpgsig `/`gpgsig-sha256 ` header and its continuations. */
function removeSignatureHeaders(buf: Buffer): Buffer {
  const headers = Object.values(SIGNATURE_HEADERS).map((h) => Buffer.from(`${h} `));
  let span: [number, number] | undefined;
  let inSignature = false;
  for (let line = 0; line < buf.length; ) {
    let next = lineEnd(buf, line);
    if (inSignature && buf[line] === SP && span) span[1] = next;
    else if (startsWith(buf, line, GPGSIG)) {
      if (headers.some((h) => startsWith(buf, line, h))) {
        span = [line, next];
        inSignature = true;
      }
    } else {
      if (buf[line] === NL) next = buf.length;
      inSignature = false;
    }
    line = next;
  }
  if (!span) return buf;
  return Buffer.concat([buf.subarray(0, span[0]), buf.subarray(span[1])]);
}

export interface RawHeader {
  name: string;
  /** The value with continuation lines unfolded (joined by newlines), as raw bytes. */
  value: Buffer;
}

/**
 * The header block of a commit or tag: `name SP value` lines, continuation lines starting with a
 * space, up to the first empty line; `body` is everything after that line.
 */
export function readHeaders(raw: Buffer): { headers: RawHeader[]; body: Buffer } {
  const headers: RawHeader[] = [];
  // continuation lines of a header, joined once at the end (a signature has dozens)
  const continued = new Map<RawHeader, Buffer[]>();
  let line = 0;
  while (line < raw.length && raw[line] !== NL) {
    const next = lineEnd(raw, line);
    const end = raw[next - 1] === NL ? next - 1 : next;
    if (raw[line] === SP) {
      const last = headers[headers.length - 1];
      if (!last) throw new Error('object starts with a continuation line');
      const parts = continued.get(last) ?? [last.value];
      parts.push(NEWLINE, raw.subarray(line + 1, end));
      continued.set(last, parts);
    } else {
      const found = raw.indexOf(SP, line);
      const space = found >= 0 && found < end ? found : -1;
      const name = raw.toString('latin1', line, space < 0 ? end : space);
      headers.push({ name, value: space < 0 ? EMPTY : raw.subarray(space + 1, end) });
    }
    line = next;
  }
  for (const [header, parts] of continued) header.value = Buffer.concat(parts);
  return { headers, body: line < raw.length ? raw.subarray(line + 1) : EMPTY };
}

const NEWLINE = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);

function lineEnd(buf: Buffer, from: number): number {
  const at = buf.indexOf(NL, from);
  return at < 0 ? buf.length : at + 1;
}

/** Byte by byte: prefixes are a few bytes, cheaper compared here than through Buffer.compare. */
function startsWith(buf: Buffer, at: number, prefix: Buffer): boolean {
  if (buf.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}
