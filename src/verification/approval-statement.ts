/**
 * The approval statement of contracts §5, byte-exact:
 *
 *   gitseal-approval/v1
 *   repository: shop-config
 *   commit: <full sha>
 *   tree: <full tree sha>
 *   seal: false
 *
 * Each field exactly once (any order), nothing else; trailing empty lines are ignored.
 */
export interface ApprovalStatement {
  repository: string;
  commit: string;
  tree: string;
  seal: boolean;
}

export const STATEMENT_HEADER = 'gitseal-approval/v1';
const FIELDS = ['repository', 'commit', 'tree', 'seal'] as const;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const REPOSITORY_ID = /^[A-Za-z0-9][A-Za-z0-9._/@:+-]{0,199}$/;

export class StatementError extends Error {}

export function formatStatement(statement: ApprovalStatement): string {
  assertValid(statement);
  return [
    STATEMENT_HEADER,
    `repository: ${statement.repository}`,
    `commit: ${statement.commit}`,
    `tree: ${statement.tree}`,
    `seal: ${statement.seal}`,
    '',
  ].join('\n');
}

export function parseStatement(text: string): ApprovalStatement {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== STATEMENT_HEADER) throw new StatementError(`the first line must be '${STATEMENT_HEADER}'`);
  const values = new Map<string, string>();
  for (const [i, line] of lines.slice(1).entries()) {
    const m = /^([a-z]+): (\S(?:.*\S)?)$/.exec(line);
    if (!m) throw new StatementError(`line ${i + 2} is not 'field: value'`);
    const [, field, value] = m;
    if (!(FIELDS as readonly string[]).includes(field)) throw new StatementError(`unknown field '${field}'`);
    if (values.has(field)) throw new StatementError(`field '${field}' appears twice`);
    values.set(field, value);
  }
  for (const field of FIELDS) if (!values.has(field)) throw new StatementError(`field '${field}' is missing`);
  const seal = values.get('seal');
  if (seal !== 'true' && seal !== 'false') throw new StatementError(`seal must be true or false, not '${seal}'`);
  const statement = {
    repository: values.get('repository') as string,
    commit: values.get('commit') as string,
    tree: values.get('tree') as string,
    seal: seal === 'true',
  };
  assertValid(statement);
  return statement;
}

function assertValid(s: ApprovalStatement): void {
  if (!REPOSITORY_ID.test(s.repository)) throw new StatementError(`repository id '${s.repository.slice(0, 60)}' is not valid`);
  if (!OBJECT_ID.test(s.commit)) throw new StatementError('commit must be a full lower-case object id');
  if (!OBJECT_ID.test(s.tree)) throw new StatementError('tree must be a full lower-case object id');
  if (s.commit.length !== s.tree.length) throw new StatementError('commit and tree ids are of different object formats');
}
