import { isObjectId } from './git-rev';
import { SourceException } from './source.exception';

/** Pure helpers for the refs a mirror keeps: parsing `<sha> TAB <ref>` lines and pin names. */

export const PIN_PREFIX = 'refs/gitseal/';
const MAX_PIN_NAME = 200;
const PIN_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface RefLine {
  sha: string;
  ref: string;
}

/**
 * Parses `ls-remote` / `for-each-ref --format=%(objectname)%09%(refname)` output. Only the refs
 * asked for are kept (ls-remote patterns also match longer names ending in them); a malformed
 * line or an id that is not a full hex object id is refused: the remote is hostile input.
 */
export function parseRefLines(output: string, wanted: readonly string[] | ((ref: string) => boolean)): Map<string, string> {
  const keep = typeof wanted === 'function' ? wanted : (ref: string) => wanted.includes(ref);
  const refs = new Map<string, string>();
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const sha = line.slice(0, tab);
    const ref = line.slice(tab + 1);
    if (tab < 0 || !isObjectId(sha)) {
      throw new SourceException('source.fetch-failed', `git printed a ref line that does not parse: ${JSON.stringify(line.slice(0, 120))}`);
    }
    if (!keep(ref)) continue;
    if (refs.has(ref) && refs.get(ref) !== sha) throw new SourceException('source.fetch-failed', `the remote advertised ${ref} twice`);
    refs.set(ref, sha);
  }
  return refs;
}

/** The object format of a repository, from the length of the ids it advertises. */
export function objectFormatOf(sha: string): 'sha1' | 'sha256' {
  return sha.length === 64 ? 'sha256' : 'sha1';
}

/**
 * A pin name: one or more `/`-separated segments of letters, digits, '.', '_' and '-', each
 * starting with a letter or digit, none ending in '.lock' or '.', no '..' (git check-ref-format).
 */
export function assertPinName(name: string): string {
  const ok =
    name.length > 0 &&
    name.length <= MAX_PIN_NAME &&
    !name.includes('..') &&
    name.split('/').every((s) => PIN_SEGMENT.test(s) && !s.endsWith('.lock') && !s.endsWith('.'));
  if (!ok) throw new SourceException('source.invalid-name', `not a valid pin name: ${JSON.stringify(name.slice(0, 100))}`);
  return name;
}

export function pinRef(name: string): string {
  return `${PIN_PREFIX}${assertPinName(name)}`;
}
