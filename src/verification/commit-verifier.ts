import { commitInfo, parseCommit, parseTag, type ParsedCommit } from './commit-object';
import { hashAlgoOf, splitCommitSignature, type HashAlgo } from './git-signed-object';
import { noSignature, verifyDetached, type SignatureCheck } from './signature-verifier';
import type { TrustStore } from './trust-store';
import { VerificationException } from './verification.exception';
import type { CommitVerification, TagVerification } from './verification.types';

/** A commit as read from the repository: its id and its raw object bytes. */
export interface RawCommit {
  sha: string;
  raw: Buffer;
}

export interface VerifyOptions {
  /** "Now" for the expired-now rules (a Clock's reading). */
  now: Date;
}

/**
 * Verifies one commit's signature (and the signed tags in its `mergetag` headers) against the
 * trust store: the signer needs role `committer`; times per key-validity.ts, with the commit's
 * committer time. Never throws for anything found in the object: hostile input is an answer.
 */
export async function verifyCommit(commit: RawCommit, trust: TrustStore, options: VerifyOptions): Promise<CommitVerification> {
  const algo = hashAlgoOf(commit.sha);
  let parsed: ParsedCommit;
  try {
    parsed = parseCommit(commit.raw, algo);
  } catch (err) {
    if (!(err instanceof VerificationException)) throw err;
    return malformedCommit(commit, algo, err.message);
  }
  const commitTime = new Date(parsed.committer.time);
  const check: SignatureCheck =
    parsed.signature === null
      ? noSignature(`commit ${commit.sha} carries no signature`)
      : await verifyDetached(parsed.signature, parsed.payload, trust, { role: 'committer', commitTime, now: options.now });
  const mergetags: TagVerification[] = [];
  for (const tag of parsed.mergetags) mergetags.push(await verifyTag(tag, algo, trust, options, parsed.parents));
  return {
    sha: commit.sha,
    commit: commitInfo(commit.sha, parsed),
    signature: check.info,
    reasons: check.reason ? [check.reason] : [],
    warnings: [...check.warnings, ...mergetagWarnings(mergetags)],
    mergetags,
  };
}

/**
 * A signed tag (a tag object, or the content of a `mergetag` header): its signature is verified
 * like a commit's, the tagger time standing for the commit time.
 */
export async function verifyTag(
  raw: Buffer,
  algo: HashAlgo,
  trust: TrustStore,
  options: VerifyOptions,
  parents: readonly string[] | null = null,
): Promise<TagVerification> {
  let tag: ReturnType<typeof parseTag>;
  try {
    tag = parseTag(raw, algo);
  } catch (err) {
    if (!(err instanceof VerificationException)) throw err;
    const check = { code: 'bad-signature' as const, message: err.message };
    const signature = { status: 'bad' as const, format: null, keyId: null, fingerprint: null, signer: null, signedAt: null };
    return { object: '', type: '', tag: '', tagger: null, signature, reason: check, objectIsParent: false };
  }
  const commitTime = tag.tagger ? new Date(tag.tagger.time) : null;
  const check =
    tag.signature === null
      ? noSignature(`tag ${tag.tag} carries no signature`)
      : await verifyDetached(tag.signature, tag.payload, trust, { role: 'committer', commitTime, now: options.now });
  return {
    object: tag.object,
    type: tag.type,
    tag: tag.tag,
    tagger: tag.tagger,
    signature: check.info,
    reason: check.reason,
    objectIsParent: parents === null || parents.includes(tag.object),
  };
}

function mergetagWarnings(tags: TagVerification[]): string[] {
  const warnings: string[] = [];
  for (const t of tags) {
    if (t.reason) warnings.push(`merged tag ${t.tag || '(unparseable)'}: ${t.reason.code}: ${t.reason.message}`);
    if (!t.objectIsParent) warnings.push(`merged tag ${t.tag} points at ${t.object}, which is not a parent of this merge`);
  }
  return warnings;
}

function malformedCommit(commit: RawCommit, algo: HashAlgo, message: string): CommitVerification {
  const signed = splitCommitSignature(commit.raw, algo).signature !== null;
  const check = signed
    ? {
        info: { status: 'bad' as const, format: null, keyId: null, fingerprint: null, signer: null, signedAt: null },
        reason: { code: 'bad-signature' as const, message: `commit ${commit.sha}: ${message}` },
      }
    : noSignature(`commit ${commit.sha} carries no signature (and ${message})`);
  return { sha: commit.sha, commit: null, signature: check.info, reasons: check.reason ? [check.reason] : [], warnings: [], mergetags: [] };
}
