import { appendNote, commitTree, readConfig, resolveCommit, APPROVALS_NOTES_REF } from '../source/git-rev';
import { formatStatement, parseStatement, type ApprovalStatement } from './approval-statement';
import type { ClearSigner } from './gpg-signer.adapter';
import { readClearSigned } from './openpgp.adapter';
import { VerificationException } from './verification.exception';

/**
 * `gitseal approve`: builds the gitseal-approval/v1 statement for a commit and its tree, has the
 * user's gpg clear-sign it, checks what came back, and appends it to the commit's note under
 * refs/notes/gitseal-approvals.
 */
export interface ApproveRequest {
  repo: string;
  /** Any rev naming a commit. */
  commit: string;
  seal: boolean;
  /** gpg --local-user; null: gpg's default key. */
  keyId: string | null;
  /** --repository; null: `git config gitseal.repository`. */
  repositoryId: string | null;
  env: NodeJS.ProcessEnv;
}

export interface ApproveResult {
  statement: ApprovalStatement;
  signed: string;
  notesRef: string;
}

export async function approveCommit(request: ApproveRequest, signer: ClearSigner): Promise<ApproveResult> {
  const options = { env: request.env };
  const commit = await resolveCommit(request.repo, request.commit, options);
  const tree = await commitTree(request.repo, commit, options);
  const repository = request.repositoryId ?? (await readConfig(request.repo, 'gitseal.repository', options));
  if (!repository) {
    throw new VerificationException(
      'approval-usage',
      'no repository id: pass --repository ID or set it once with `git config gitseal.repository ID`',
    );
  }
  const statement = { repository, commit, tree, seal: request.seal };
  const text = formatStatement(statement);
  const signed = await signer.clearSign(text, request.keyId);
  const back = await readClearSigned(signed);
  if (JSON.stringify(parseStatement(back.text)) !== JSON.stringify(statement) || back.signatures.length === 0) {
    throw new VerificationException('approval-signing-failed', 'gpg returned a message that does not hold the statement');
  }
  await appendNote(request.repo, commit, signed, options);
  return { statement, signed, notesRef: APPROVALS_NOTES_REF };
}
