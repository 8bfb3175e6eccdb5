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
