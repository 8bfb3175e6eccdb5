import { type JsonObject, type JsonValue, isObject, str } from '../sandbox.types';

export interface ConditionSpec {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * A condition list as controllers write it: the transition time of a condition changes only when
 * its status changes, its update time only when status, reason or message change.
 */
export function conditions(previous: JsonValue | undefined, specs: ConditionSpec[], now: string, withUpdateTime: boolean): JsonObject[] {
  const old = Array.isArray(previous) ? previous.filter(isObject) : [];
  return specs.map((c) => {
    const before = old.find((o) => o.type === c.type);
    const same = before && before.status === c.status;
    const unchanged = same && before.reason === c.reason && before.message === c.message;
    const out: JsonObject = { type: c.type, status: c.status };
    if (withUpdateTime) out.lastUpdateTime = unchanged ? (str(before.lastUpdateTime) ?? now) : now;
    out.lastTransitionTime = same ? (str(before.lastTransitionTime) ?? now) : now;
    out.reason = c.reason;
    out.message = c.message;
    return out;
  });
}

/** Drops zero counts, as the real types' `omitempty` does. */
export function compact(status: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(status)) if (v !== 0 && v !== undefined) out[k] = v;
  return out;
}
