import { STATEMENT_HEADER } from './approval-statement';

/**
 * Splits the text of an approvals note (or of an API post) into its messages: OpenPGP clear-signed
 * messages, and detached-signed statements (the statement, then an armored detached signature
 * over exactly the bytes before the signature's first line, as in a signed Git tag). `git notes
 * append` separates them with blank lines. Any other text is reported, never silently skipped.
 */
export type NoteBlock =
  | { kind: 'clear-signed'; text: string; line: number }
  | { kind: 'detached'; statement: string; signature: string; line: number }
  | { kind: 'junk'; text: string; line: number; why: string };

const CLEAR_BEGIN = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIG_BEGIN = '-----BEGIN PGP SIGNATURE-----';
const SIG_END = '-----END PGP SIGNATURE-----';
export const MAX_NOTE_BLOCKS = 100;

export function splitApprovalNote(note: string): NoteBlock[] {
  const lines = note.split('\n');
  const blocks: NoteBlock[] = [];
  let i = 0;
  while (i < lines.length && blocks.length < MAX_NOTE_BLOCKS) {
    const line = stripCr(lines[i]);
    if (line.trim() === '') {
      i++;
      continue;
    }
    const start = i;
    if (line === CLEAR_BEGIN || line === STATEMENT_HEADER) {
      const end = findLine(lines, SIG_END, i + 1);
      if (end < 0) {
        blocks.push({ kind: 'junk', text: lines.slice(start).join('\n'), line: start + 1, why: 'an unterminated signed message' });
        break;
      }
      blocks.push(line === CLEAR_BEGIN ? clearSigned(lines, start, end) : detached(lines, start, end));
      i = end + 1;
      continue;
    }
    while (i < lines.length && stripCr(lines[i]).trim() !== '' && ![CLEAR_BEGIN, STATEMENT_HEADER].includes(stripCr(lines[i]))) i++;
    blocks.push({ kind: 'junk', text: lines.slice(start, i).join('\n'), line: start + 1, why: 'text that is not a signed approval' });
  }
  if (blocks.length >= MAX_NOTE_BLOCKS && i < lines.length && lines.slice(i).some((l) => l.trim() !== '')) {
    blocks.push({ kind: 'junk', text: '', line: i + 1, why: `more than ${MAX_NOTE_BLOCKS} messages in one note` });
  }
  return blocks;
}

function clearSigned(lines: string[], start: number, end: number): NoteBlock {
  return { kind: 'clear-signed', text: `${lines.slice(start, end + 1).join('\n')}\n`, line: start + 1 };
}

function detached(lines: string[], start: number, end: number): NoteBlock {
  const sig = findLine(lines, SIG_BEGIN, start + 1);
  if (sig < 0 || sig > end) {
    return { kind: 'junk', text: lines.slice(start, end + 1).join('\n'), line: start + 1, why: 'a statement without a signature' };
  }
  return {
    kind: 'detached',
    statement: `${lines.slice(start, sig).join('\n')}\n`,
    signature: `${lines.slice(sig, end + 1).join('\n')}\n`,
    line: start + 1,
  };
}

function findLine(lines: string[], wanted: string, from: number): number {
  for (let i = from; i < lines.length; i++) if (stripCr(lines[i]) === wanted) return i;
  return -1;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
