import { parseCommandArgs, requireOption, UsageError, type CliCommand } from '../cli/command';
import { GitException, readConfig } from '../source/git-rev';
import { approveCommit } from './approve.service';
import { GpgSigner } from './gpg-signer.adapter';
import { VerificationException } from './verification.exception';

const HELP = `usage: gitseal approve --repo PATH --commit SHA [--seal] [--key KEYID] [--repository ID]

Signs a gitseal-approval/v1 statement for the commit and its tree with your local gpg (clear-signed)
and appends it to the commit's note under refs/notes/gitseal-approvals. Push it with
  git push <remote> refs/notes/gitseal-approvals

  --repo PATH        the repository (work tree or bare)
  --commit SHA       the commit to approve (any rev naming a commit)
  --seal             vouch for the history before this commit (strict mode stops there)
  --key KEYID        the key to sign with (gpg --local-user); default: gpg's default key
  --repository ID    the repository id the gate knows; default: git config gitseal.repository

Exit status: 0 approved, 2 bad usage or input (unknown commit, no repository id, gpg failed).
`;

export const approveCommand: CliCommand = {
  path: ['approve'],
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      repo: { type: 'string' },
      commit: { type: 'string' },
      seal: { type: 'boolean' },
      key: { type: 'string' },
      repository: { type: 'string' },
    });
    const repo = requireOption(values.repo, '--repo');
    const commit = requireOption(values.commit, '--commit');
    const env = { ...io.env };
    const program = (await readConfig(repo, 'gpg.program', { env }).catch(() => null)) ?? 'gpg';
    try {
      const result = await approveCommit(
        { repo, commit, seal: values.seal ?? false, keyId: values.key ?? null, repositoryId: values.repository ?? null, env },
        new GpgSigner(program, env),
      );
      const s = result.statement;
      io.stdout(
        `${s.seal ? 'sealed' : 'approved'} ${s.commit} (tree ${s.tree}) for repository ${s.repository}\n` +
          `appended to ${result.notesRef}; publish with: git push <remote> ${result.notesRef}\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof VerificationException || err instanceof GitException) throw new UsageError(err.message);
      throw err;
    }
  },
};
