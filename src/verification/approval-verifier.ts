import { splitApprovalNote, type NoteBlock } from './approval-note';
import { parseStatement, StatementError, type ApprovalStatement } from './approval-statement';
import { clearSignedBytes, OpenPgpFormatError, readClearSigned } from './openpgp.adapter';
import { verifyDetached, verifyPacket, type SignatureCheck } from './signature-verifier';
import type { TrustStore } from './trust-store';
import type { SignatureReasonCode, Signer } from './verification.types';

/**
 * Approvals (contracts §5): signed statements binding one repository, commit and tree, by keys
 * with role `approver`, under the same key rules as commits (signing time and now; no commit
 * time). Valid ones become contract §3 `approvals` elements; every other message in the note is
 * a rejected approval with a code and a message the gate records.
 */
export type ApprovalSource = 'git-note' | 'api';

export interface ApprovalSubject {
  repositoryId: string;
  commit: string;
  tree: string;
}

/** Contract §3 `approvals[]` element. */
export interface ApprovalInfo {
  fingerprint: string;
  signer: Signer;
  signedAt: string;
  source: ApprovalSource;
  seal: boolean;
}

export type ApprovalRejectionCode =
  | Exclude<SignatureReasonCode, 'unsigned'>
  | 'malformed' // not a signed gitseal-approval/v1 statement
  | 'wrong-repository'
  | 'wrong-commit'
  | 'wrong-tree'
  | 'duplicate'; // the same key approved twice: only its latest approval counts

export interface RejectedApproval {
  source: ApprovalSource;
  code: ApprovalRejectionCode;
  message: string;
  fingerprint: string | null;
  keyId: string | null;
  signedAt: string | null;
}

export interface ApprovalVerification {
  approvals: ApprovalInfo[];
  rejected: RejectedApproval[];
}

export interface ApprovalMessage {
  /** One or more armored messages (a note's whole text, or the body of an API post). */
  text: string;
  source: ApprovalSource;
}

export async function verifyApprovals(
  subject: ApprovalSubject,
  messages: readonly ApprovalMessage[],
  trust: TrustStore,
  options: { now: Date },
): Promise<ApprovalVerification> {
  const accepted: ApprovalInfo[] = [];
  const rejected: RejectedApproval[] = [];
  for (const message of messages) {
    for (const block of splitApprovalNote(message.text)) {
      for (const outcome of await verifyBlock(block, subject, trust, options.now)) {
        if ('code' in outcome) rejected.push({ source: message.source, ...outcome });
        else accepted.push({ ...outcome, source: message.source });
      }
    }
  }
  return dedupe(accepted, rejected);
}

type Outcome = Omit<ApprovalInfo, 'source'> | Omit<RejectedApproval, 'source'>;

async function verifyBlock(block: NoteBlock, subject: ApprovalSubject, trust: TrustStore, now: Date): Promise<Outcome[]> {
  const context = { role: 'approver' as const, commitTime: null, now };
  if (block.kind === 'junk') return [reject('malformed', `line ${block.line}: ${block.why}`)];
  if (block.kind === 'detached') {
    const statement = statementOf(block.statement, block.line);
    if ('code' in statement) return [statement];
    const check = await verifyDetached(block.signature, Buffer.from(block.statement, 'utf8'), trust, context);
    return [judge(statement, check, subject)];
  }
  let message: Awaited<ReturnType<typeof readClearSigned>>;
  try {
    message = await readClearSigned(block.text);
  } catch (err) {
    return [reject('malformed', `line ${block.line}: ${err instanceof OpenPgpFormatError ? err.message : String(err)}`)];
  }
  const statement = statementOf(message.text, block.line);
  if ('code' in statement) return [statement];
  if (message.signatures.length === 0) return [reject('malformed', `line ${block.line}: no signature`)];
  const bytes = clearSignedBytes(message.text);
  const outcomes: Outcome[] = [];
  for (const packet of message.signatures) outcomes.push(judge(statement, await verifyPacket(packet, bytes, trust, context), subject));
  return outcomes;
}

function statementOf(text: string, line: number): ApprovalStatement | Omit<RejectedApproval, 'source'> {
  try {
    return parseStatement(text);
  } catch (err) {
    if (!(err instanceof StatementError)) throw err;
    return reject('malformed', `line ${line}: not a gitseal-approval/v1 statement: ${err.message}`);
  }
}

function judge(statement: ApprovalStatement, check: SignatureCheck, subject: ApprovalSubject): Outcome {
  const { info } = check;
  const ids = { fingerprint: info.fingerprint, keyId: info.keyId, signedAt: info.signedAt };
  if (check.reason) return { ...ids, code: check.reason.code as ApprovalRejectionCode, message: check.reason.message };
  const by = `approval by ${info.fingerprint}`;
  if (statement.repository !== subject.repositoryId) {
    return { ...ids, code: 'wrong-repository', message: `${by} is for repository ${statement.repository}, not ${subject.repositoryId}` };
  }
  if (statement.commit !== subject.commit) {
    return { ...ids, code: 'wrong-commit', message: `${by} is for commit ${statement.commit}, not ${subject.commit}` };
  }
  if (statement.tree !== subject.tree) {
    return { ...ids, code: 'wrong-tree', message: `${by} is for tree ${statement.tree}, not ${subject.tree} (the tree of ${subject.commit})` };
  }
  return { fingerprint: info.fingerprint as string, signer: info.signer as Signer, signedAt: info.signedAt as string, seal: statement.seal };
}

/** One approval per key: the latest signed counts, earlier ones are reported as duplicates. */
function dedupe(accepted: ApprovalInfo[], rejected: RejectedApproval[]): ApprovalVerification {
  const latest = new Map<string, ApprovalInfo>();
  for (const a of accepted) {
    const seen = latest.get(a.fingerprint);
    if (!seen || a.signedAt > seen.signedAt) latest.set(a.fingerprint, a);
  }
  const approvals = [...latest.values()];
  for (const a of accepted) {
    if (!approvals.includes(a)) {
      rejected.push({
        source: a.source,
        code: 'duplicate',
        message: `approval by ${a.fingerprint} signed at ${a.signedAt} is superseded by its approval signed at ${latest.get(a.fingerprint)?.signedAt}`,
        fingerprint: a.fingerprint,
        keyId: null,
        signedAt: a.signedAt,
      });
    }
  }
  return { approvals, rejected };
}

function reject(code: ApprovalRejectionCode, message: string): Omit<RejectedApproval, 'source'> {
  return { code, message, fingerprint: null, keyId: null, signedAt: null };
}
