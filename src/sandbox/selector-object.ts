import { type JsonObject, isObject, str, stringMap } from './sandbox.types';

/** Whether `labels` match a `metav1.LabelSelector` object (`matchLabels` and `matchExpressions`). */
export function matchesLabelSelectorObject(selector: JsonObject, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(stringMap(selector.matchLabels))) if (labels[k] !== v) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isObject) : [];
  for (const e of exprs) {
    const key = str(e.key) ?? '';
    const values = Array.isArray(e.values) ? e.values.filter((x): x is string => typeof x === 'string') : [];
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
