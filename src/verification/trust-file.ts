import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { MAX_KEY_TEXT } from './openpgp.adapter';
import { TrustStore, type TrustRecord } from './trust-store';
import { VerificationException } from './verification.exception';
import { TRUST_ROLES, type TrustRole } from './verification.types';

/**
 * trust.yaml (contracts §1), loaded strictly: unknown or missing fields, bad dates, unknown roles,
 * unreadable or malformed key files and duplicate keys are all reported together in ONE
 * `trust-file-invalid` error naming the file and each entry. Sizes are capped.
 */
export interface TrustFileEntry {
  file: string;
  roles: TrustRole[];
  validFrom: Date | null;
  validUntil: Date | null;
}

export const MAX_TRUST_FILE_BYTES = 1024 * 1024;
export const MAX_TRUST_ENTRIES = 10_000;
const FIELDS = new Set(['file', 'roles', 'validFrom', 'validUntil']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Loads trust.yaml and every key it names into a TrustStore. */
export async function loadTrustFile(path: string): Promise<TrustStore> {
  const records = await readTrustFile(path);
  const store = new TrustStore();
  const problems: string[] = [];
  for (const record of records) {
    try {
      await store.add(record);
    } catch (err) {
      if (!(err instanceof VerificationException)) throw err;
      problems.push(err.message.replace(`${path}: `, ''));
    }
  }
  if (problems.length > 0) throw invalid(path, problems);
  return store;
}

/** The records of a trust file with their armored keys read (no cryptography yet). */
export async function readTrustFile(path: string): Promise<TrustRecord[]> {
  const text = await readCapped(path, MAX_TRUST_FILE_BYTES).catch((err: unknown) => {
    throw invalid(path, [errorText(err)]);
  });
  const entries = parseTrustYaml(text, path);
  const problems: string[] = [];
  const records: TrustRecord[] = [];
  for (const [i, entry] of entries.entries()) {
    const source = `${path}: keys[${i}] (${entry.file})`;
    try {
      const armoredKey = await readCapped(resolve(dirname(path), entry.file), MAX_KEY_TEXT);
      records.push({ armoredKey, roles: entry.roles, validFrom: entry.validFrom, validUntil: entry.validUntil, source });
    } catch (err) {
      problems.push(`keys[${i}] (${entry.file}): cannot read the key file: ${errorText(err)}`);
    }
  }
  if (problems.length > 0) throw invalid(path, problems);
  return records;
}

/** Parses and validates the YAML text of a trust file. */
export function parseTrustYaml(text: string, path = 'trust.yaml'): TrustFileEntry[] {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) throw invalid(path, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    throw invalid(path, [`YAML: ${errorText(err)} (aliases are not allowed)`]);
  }
  if (!isObject(root)) throw invalid(path, ['the document must be a mapping with a `keys` list']);
  const extra = Object.keys(root).filter((k) => k !== 'keys');
  if (extra.length > 0) throw invalid(path, [`unknown top-level field(s): ${extra.join(', ')}`]);
  if (!Array.isArray(root.keys)) throw invalid(path, ['`keys` must be a list']);
  if (root.keys.length > MAX_TRUST_ENTRIES) throw invalid(path, [`more than ${MAX_TRUST_ENTRIES} keys`]);
  const problems: string[] = [];
  const entries: TrustFileEntry[] = [];
  const files = new Map<string, number>();
  root.keys.forEach((raw: unknown, i: number) => {
    const where = `keys[${i}]${isObject(raw) && typeof raw.file === 'string' ? ` (${raw.file})` : ''}`;
    const errors: string[] = [];
    const entry = validateEntry(raw, errors);
    if (entry && files.has(entry.file)) errors.push(`the same file as keys[${files.get(entry.file)}]`);
    if (entry) files.set(entry.file, i);
    if (errors.length > 0 || !entry) problems.push(...errors.map((e) => `${where}: ${e}`));
    else entries.push(entry);
  });
  if (problems.length > 0) throw invalid(path, problems);
  return entries;
}

function validateEntry(raw: unknown, errors: string[]): TrustFileEntry | null {
  if (!isObject(raw)) {
    errors.push('must be a mapping with file and roles');
    return null;
  }
  for (const key of Object.keys(raw)) if (!FIELDS.has(key)) errors.push(`unknown field '${key}'`);
  const file = raw.file;
  if (typeof file !== 'string' || file.trim() === '') errors.push('`file` (path of an armored public key) is required');
  const roles = validateRoles(raw.roles, errors);
  const validFrom = validateDate(raw.validFrom, 'validFrom', errors);
  const validUntil = validateDate(raw.validUntil, 'validUntil', errors);
  if (validFrom && validUntil && validFrom >= validUntil) errors.push('validFrom must be before validUntil');
  if (errors.length > 0 || typeof file !== 'string') return null;
  return { file, roles, validFrom, validUntil };
}

function validateRoles(raw: unknown, errors: string[]): TrustRole[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push(`\`roles\` is required: a non-empty list of ${TRUST_ROLES.join(', ')}`);
    return [];
  }
  const roles: TrustRole[] = [];
  for (const role of raw) {
    if (typeof role !== 'string' || !TRUST_ROLES.includes(role as TrustRole)) {
      errors.push(`unknown role '${String(role)}' (known: ${TRUST_ROLES.join(', ')})`);
    } else if (roles.includes(role as TrustRole)) errors.push(`role '${role}' listed twice`);
    else roles.push(role as TrustRole);
  }
  return roles;
}

function validateDate(raw: unknown, name: string, errors: string[]): Date | null {
  if (raw === undefined || raw === null) return null;
  const text = raw instanceof Date ? raw.toISOString() : raw;
  const valid = typeof text === 'string' && ISO_DATE.test(text) && realCalendarDate(text);
  const time = valid ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : NaN;
  if (Number.isNaN(time)) {
    errors.push(`${name} '${String(raw).slice(0, 40)}' is not an ISO 8601 date-time with a zone (e.g. 2026-01-01T00:00:00Z)`);
    return null;
  }
  return new Date(time);
}

/** Date.parse rolls 2026-02-30 over to March: check the fields themselves. */
function realCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  const [hh, mm, ss] = (text.slice(11, 19).match(/\d+/g) ?? []).map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return m >= 1 && m <= 12 && d >= 1 && d <= days && (hh ?? 0) <= 23 && (mm ?? 0) <= 59 && (ss ?? 0) <= 59;
}

async function readCapped(path: string, max: number): Promise<string> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error('not a regular file');
  if (info.size > max) throw new Error(`${info.size} bytes, over the limit of ${max}`);
  return readFile(path, 'utf8');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(err: unknown): string {
  if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return 'no such file';
  return err instanceof Error ? err.message : String(err);
}

function invalid(path: string, problems: string[]): VerificationException {
  const list = problems.map((p) => `  - ${p}`).join('\n');
  return new VerificationException('trust-file-invalid', `invalid trust file ${path}:\n${list}`, { problems });
}
