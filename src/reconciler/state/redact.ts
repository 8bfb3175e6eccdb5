import { createHash } from 'node:crypto';
import { canonicalJson } from '../diff/canonical';
import type { FieldChange } from '../diff/diff';
import { isJsonObject, type JsonValue, type ObjectKey } from '../kube/kube-object';

export const REDACTED = '[redacted]';

/** A field change as the ledger records it: before (live) and after (desired), values of Secrets redacted. */
export interface RecordedChange {
  path: string;
  before?: JsonValue;
  after?: JsonValue;
}

const SECRET_FIELDS = new Set(['data', 'stringData']);

function isSecret(key: Pick<ObjectKey, 'group' | 'kind'>): boolean {
  return key.group === '' && key.kind === 'Secret';
}

function redactMap(value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) return REDACTED;
  return Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED]));
}

/** Whether a Secret change touches its values: `/data/...`, `/stringData/...`, or the whole object. */
function redactOne(c: FieldChange): RecordedChange {
  const segments = c.path.split('/').slice(1);
  const out: RecordedChange = { path: c.path };
  if (segments.length === 0) {
    const scrub = (v: JsonValue | undefined) => (isJsonObject(v) ? { ...v, ...Object.fromEntries([...SECRET_FIELDS].filter((f) => f in v).map((f) => [f, redactMap(v[f]) as JsonValue])) } : v);
    if (c.live !== undefined) out.before = scrub(c.live);
    if (c.desired !== undefined) out.after = scrub(c.desired);
    return out;
  }
  if (SECRET_FIELDS.has(segments[0])) {
    const scrub = segments.length === 1 ? redactMap : (v: JsonValue | undefined) => (v === undefined ? undefined : REDACTED);
    if (c.live !== undefined) out.before = scrub(c.live);
    if (c.desired !== undefined) out.after = scrub(c.desired);
    return out;
  }
  if (c.live !== undefined) out.before = c.live;
  if (c.desired !== undefined) out.after = c.desired;
  return out;
}

/** The changes as recorded: Secret values never reach the ledger (only which keys changed). */
export function recordedChanges(key: Pick<ObjectKey, 'group' | 'kind'>, changes: readonly FieldChange[]): RecordedChange[] {
  if (!isSecret(key)) return changes.map((c) => ({ path: c.path, ...(c.live !== undefined ? { before: c.live } : {}), ...(c.desired !== undefined ? { after: c.desired } : {}) }));
  return changes.map(redactOne);
}

/** A recorded diff larger than this keeps its paths and digests of its values instead of the values. */
export const MAX_RECORDED_DIFF_BYTES = 256 * 1024;

function digest(value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  const text = canonicalJson(value);
  return { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
}

/**
 * Keeps a ledger entry within bounds: a huge object (a large ConfigMap) would otherwise make its
 * `resource.applied` entry too large to record, and the sync could never finish.
 */
export function boundedChanges(changes: RecordedChange[], maxBytes = MAX_RECORDED_DIFF_BYTES): RecordedChange[] | { truncated: true; changes: RecordedChange[] } {
  if (Buffer.byteLength(JSON.stringify(changes)) <= maxBytes) return changes;
  const digested = changes.slice(0, 1000).map((c) => ({ path: c.path, ...(c.before !== undefined ? { before: digest(c.before) } : {}), ...(c.after !== undefined ? { after: digest(c.after) } : {}) }));
  return { truncated: true, changes: digested };
}
