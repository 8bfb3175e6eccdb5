import { readHeaders, splitCommitSignature, splitTagSignature, SIGNATURE_HEADERS, type HashAlgo, type RawHeader } from './git-signed-object';
import type { CommitInfo, GitPerson } from './verification.types';
import { VerificationException } from './verification.exception';

/** A commit object, parsed strictly (hostile input: anything odd is an error, not a guess). */
export interface ParsedCommit {
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  encoding: string | null;
  /** Every header in order (tree, parent, author, committer, encoding, gpgsig, mergetag, unknown…). */
  headers: Array<{ name: string; value: string }>;
  message: string;
  /** The bytes git verifies the signature over. */
  payload: Buffer;
  /** The signature text, or null for an unsigned commit. */
  signature: string | null;
  /** Raw tag objects carried in `mergetag` headers. */
  mergetags: Buffer[];
}

export interface ParsedTag {
  object: string;
  type: string;
  tag: string;
  tagger: GitPerson | null;
  message: string;
  payload: Buffer;
  signature: string | null;
}

const IDS: Record<HashAlgo, RegExp> = { sha1: /^[0-9a-f]{40}$/, sha256: /^[0-9a-f]{64}$/ };

export function parseCommit(raw: Buffer, algo: HashAlgo): ParsedCommit {
  const { headers, body } = readObjectHeaders(raw, 'commit');
  const names = headers.map((h) => h.name);
  if (names[0] !== 'tree') malformed('commit', 'the first header is not tree');
  const tree = objectId(headers[0], algo, 'commit');
  const parents: string[] = [];
  let i = 1;
  for (; i < headers.length && headers[i].name === 'parent'; i++) parents.push(objectId(headers[i], algo, 'commit'));
  for (const name of ['tree', 'parent', 'author', 'committer', 'encoding']) {
    const count = names.filter((n) => n === name).length;
    if (name !== 'parent' && count > 1) malformed('commit', `${count} ${name} headers`);
  }
  if (names.slice(i).includes('parent')) malformed('commit', 'parent headers not right after tree');
  const author = person(single(headers, 'author', 'commit'), 'author');
  const committer = person(single(headers, 'committer', 'commit'), 'committer');
  const encodingHeader = headers.find((h) => h.name === 'encoding');
  const encoding = encodingHeader ? encodingHeader.value.toString('latin1') : null;
  const split = splitCommitSignature(raw, algo);
  return {
    tree,
    parents,
    author,
    committer,
    encoding,
    headers: headers.map((h) => ({ name: h.name, value: h.value.toString('utf8') })),
    message: decode(body, encoding),
    payload: split.payload,
    signature: split.signature ? split.signature.toString('utf8') : null,
    mergetags: headers.filter((h) => h.name === 'mergetag').map((h) => withNewline(h.value)),
  };
}

export function parseTag(raw: Buffer, algo: HashAlgo): ParsedTag {
  const split = splitTagSignature(raw);
  const { headers, body } = readObjectHeaders(split.payload, 'tag');
  const names = headers.map((h) => h.name);
  if (names[0] !== 'object' || names[1] !== 'type' || names[2] !== 'tag') {
    malformed('tag', 'headers are not object, type, tag');
  }
  const taggerHeaders = headers.filter((h) => h.name === 'tagger');
  if (taggerHeaders.length > 1) malformed('tag', 'several tagger headers');
  const known = new Set(['object', 'type', 'tag', 'tagger', ...Object.values(SIGNATURE_HEADERS)]);
  if (names.slice(0, 3).some((n, k) => names.indexOf(n) !== k) || names.filter((n) => !known.has(n)).length > 16) {
    malformed('tag', 'repeated or too many headers');
  }
  return {
    object: objectId(headers[0], algo, 'tag'),
    type: headers[1].value.toString('latin1'),
    tag: headers[2].value.toString('utf8'),
    tagger: taggerHeaders[0] ? person(taggerHeaders[0], 'tagger') : null,
    message: body.toString('utf8'),
    payload: split.payload,
    signature: split.signature ? split.signature.toString('utf8') : null,
  };
}

/** Contract §3 `commit` of a parsed commit. */
export function commitInfo(sha: string, commit: ParsedCommit): CommitInfo {
  return {
    sha,
    tree: commit.tree,
    parents: commit.parents,
    message: commit.message,
    author: commit.author,
    committer: commit.committer,
  };
}

const IDENT = /^(.*?) ?<([^<>\n]*)> (\d{1,12}) ([+-])(\d{2})(\d{2})$/s;

/** `Name <email> 1700000000 +0100` → person with an ISO UTC time; anything else is malformed. */
export function parsePerson(value: string, what: string): GitPerson {
  const m = IDENT.exec(value);
  if (!m) malformed('identity', `${what} '${value.slice(0, 120)}' is not "Name <email> seconds zone"`);
  const [, name, email, seconds, sign, hh, mm] = m;
  if (Number(hh) > 23 || Number(mm) > 59) malformed('identity', `${what} has an impossible zone ${sign}${hh}${mm}`);
  const time = new Date(Number(seconds) * 1000);
  if (Number.isNaN(time.getTime())) malformed('identity', `${what} time is out of range`);
  return { name, email, time: isoSeconds(time), zone: `${sign}${hh}${mm}` };
}

/** ISO 8601 UTC without milliseconds: 2026-11-21T10:00:00Z. */
export function isoSeconds(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
}

function person(header: RawHeader, what: string): GitPerson {
  return parsePerson(header.value.toString('utf8'), what);
}

function readObjectHeaders(raw: Buffer, kind: string): ReturnType<typeof readHeaders> {
  try {
    return readHeaders(raw);
  } catch (err) {
    return malformed(kind, err instanceof Error ? err.message : String(err));
  }
}

function single(headers: RawHeader[], name: string, kind: string): RawHeader {
  const found = headers.find((h) => h.name === name);
  if (!found) malformed(kind, `no ${name} header`);
  return found;
}

function objectId(header: RawHeader, algo: HashAlgo, kind: string): string {
  const id = header.value.toString('latin1');
  if (!IDS[algo].test(id)) malformed(kind, `${header.name} '${id.slice(0, 80)}' is not a ${algo} object id`);
  return id;
}

function decode(bytes: Buffer, encoding: string | null): string {
  if (encoding && !/^utf-?8$/i.test(encoding)) {
    try {
      return new TextDecoder(encoding).decode(bytes);
    } catch {
      // an encoding label Node does not know: fall back to UTF-8 (lossy)
    }
  }
  return bytes.toString('utf8');
}

function withNewline(value: Buffer): Buffer {
  return value[value.length - 1] === 0x0a ? value : Buffer.concat([value, Buffer.from('\n')]);
}

function malformed(kind: string, why: string): never {
  throw new VerificationException('commit-malformed', `malformed ${kind} object: ${why}`);
}
