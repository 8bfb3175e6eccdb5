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
 */
export function inputHash(document: PolicyInputDocument): string {
  return createHash('sha256').update(canonicalize(document), 'utf8').digest('hex');
}
