import { createHash } from 'node:crypto';
import { canonicalize } from '../ledger/canonical-json';
import type { FileChange } from '../source/git-rev';
import type { ApprovalInfo } from '../verification/approval-verifier';
import type { CommitInfo, GitPerson, SignatureInfo } from '../verification/verification.types';

/**
 * The policy input document, version 1 (contracts §3): exactly the fields and shapes the contract
 * names, nothing more, so that policies written against the contract keep working and a stored
 * document replays to the same decision. Built from parts the gate gathered; hashed as RFC 8785
 * canonical JSON.
 */
export const POLICY_INPUT_VERSION = 1;

export interface InputRepository {
  id: string;
  url: string;
  branch: string;
}

export interface InputPerson {
  name: string;
  email: string;
  time: string;
}

export interface InputCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: InputPerson;
  committer: InputPerson;
}

export type InputSignature = SignatureInfo;
export type InputApproval = ApprovalInfo;
export type InputChange = FileChange;

/** A JSON object (a Kubernetes object as written in the repository). */
export type JsonObject = { [key: string]: unknown };

export interface ManifestEntry {
  path: string;
  /** Index of the YAML document within the file (0 for a JSON file). */
  index: number;
  object: JsonObject;
}

export interface PolicyInputDocument {
  version: typeof POLICY_INPUT_VERSION;
  repository: InputRepository;
  commit: InputCommit;
  signature: InputSignature;
  approvals: InputApproval[];
  changes: InputChange[];
  manifests: ManifestEntry[];
  previous: { manifests: ManifestEntry[] };
}

export interface PolicyInputParts {
  repository: InputRepository;
  commit: CommitInfo;
  signature: SignatureInfo;
  /** Verified approvals only (contract §3). */
  approvals: readonly ApprovalInfo[];
  changes: readonly FileChange[];
  manifests: readonly ManifestEntry[];
  /** Manifests at the first parent; empty for a root commit. */
  previousManifests: readonly ManifestEntry[];
}

function person(p: GitPerson): InputPerson {
  return { name: p.name, email: p.email, time: p.time };
}

/** Copies the parts into the contract's shape (verification's extra fields, such as a person's zone, are left out). */
export function buildPolicyInput(parts: PolicyInputParts): PolicyInputDocument {
  const { commit, signature } = parts;
  return {
    version: POLICY_INPUT_VERSION,
    repository: { id: parts.repository.id, url: parts.repository.url, branch: parts.repository.branch },
    commit: {
      sha: commit.sha,
      tree: commit.tree,
      parents: [...commit.parents],
      message: commit.message,
      author: person(commit.author),
      committer: person(commit.committer),
    },
    signature: {
      status: signature.status,
      format: signature.format,
      keyId: signature.keyId,
      fingerprint: signature.fingerprint,
      signer: signature.signer && { name: signature.signer.name, email: signature.signer.email, roles: [...signature.signer.roles] },
      signedAt: signature.signedAt,
    },
    approvals: parts.approvals.map((a) => ({
      fingerprint: a.fingerprint,
      signer: { name: a.signer.name, email: a.signer.email, roles: [...a.signer.roles] },
      signedAt: a.signedAt,
      source: a.source,
      seal: a.seal,
    })),
    changes: parts.changes.map((c) => ({ path: c.path, status: c.status, oldPath: c.oldPath })),
    manifests: [...parts.manifests],
    previous: { manifests: [...parts.previousManifests] },
  };
}

/**
 * sha256 (lower-case hex) of the document's RFC 8785 canonical JSON: the same document always
 * hashes the same, whatever the key order it was built with. Throws (LedgerException
 * `non-canonical-value`) for a value JSON cannot carry, e.g. a string with a lone surrogate.
 *
 * The bytes hashed are exactly canonicalize(document); they are fed to the hash member by member
 * (the top-level members in canonical order), and each manifest entry's canonical form is
 * computed once and remembered: consecutive commits share most of their manifests (and a
 * commit's previous manifests are its parent's), so only the changed objects are serialised.
 * Manifest entries are frozen when parsed, so a remembered form cannot go stale.
 */
export function inputHash(document: PolicyInputDocument): string {
  const hash = createHash('sha256');
  const { manifests, previous, ...rest } = document;
  const members: Array<[string, () => void]> = [
    ...Object.keys(rest).map((key): [string, () => void] => [key, () => hash.update(canonicalize(rest[key as keyof typeof rest]), 'utf8')]),
    ['manifests', () => hashEntries(hash, manifests)],
    ['previous', () => hashPrevious(hash, previous)],
  ];
  members.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  hash.update('{');
  members.forEach(([key, write], i) => {
    hash.update(`${i === 0 ? '' : ','}${JSON.stringify(key)}:`, 'utf8');
    write();
  });
  hash.update('}');
  return hash.digest('hex');
}

type Hash = ReturnType<typeof createHash>;

function hashPrevious(hash: Hash, previous: PolicyInputDocument['previous']): void {
  const keys = Object.keys(previous);
  if (keys.length !== 1 || keys[0] !== 'manifests') {
    hash.update(canonicalize(previous), 'utf8');
    return;
  }
  hash.update('{"manifests":');
  hashEntries(hash, previous.manifests);
  hash.update('}');
}

/** Canonical UTF-8 bytes of frozen manifest entries, encoded once: a commit hashes some 40 of them. */
const entryForms = new WeakMap<object, Buffer>();
const COMMA = Buffer.from(',');

function hashEntries(hash: Hash, entries: readonly ManifestEntry[]): void {
  hash.update('[');
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) hash.update(COMMA);
    hash.update(entryBytes(entries[i]));
  }
  hash.update(']');
}

/**
 * Records the canonical bytes of a frozen entry made elsewhere (the manifest parse worker computes
 * them beside the parse, from the same values): the input hash then uses them as its own.
 */
export function rememberEntryBytes(entry: ManifestEntry, bytes: Buffer): void {
  if (Object.isFrozen(entry)) entryForms.set(entry, bytes);
}

function entryBytes(entry: ManifestEntry): Buffer {
  const frozen = Object.isFrozen(entry);
  let form = frozen ? entryForms.get(entry) : undefined;
  if (form === undefined) {
    form = Buffer.from(canonicalize(entry), 'utf8');
    if (frozen) entryForms.set(entry, form);
  }
  return form;
}

/** Freezes a parsed manifest entry and everything in it (parsed YAML may share nodes: aliases). */
export function freezeEntry(entry: ManifestEntry): ManifestEntry {
  const stack: unknown[] = [entry];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || Object.isFrozen(value)) continue;
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) stack.push(child);
  }
  return entry;
}
