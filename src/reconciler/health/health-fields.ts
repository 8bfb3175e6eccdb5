import { isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../kube/kube-object';

export function specOf(obj: KubeObject): JsonObject {
  return isJsonObject(obj.spec) ? obj.spec : {};
}

export function statusOf(obj: KubeObject): JsonObject {
  return isJsonObject(obj.status) ? obj.status : {};
}

export function num(value: JsonValue | undefined, fallback = 0): number {
  return typeof value === 'number' ? value : fallback;
}

export function generationObserved(obj: KubeObject): boolean {
  const generation = obj.metadata.generation;
  const observed = statusOf(obj).observedGeneration;
  return typeof generation !== 'number' || (typeof observed === 'number' && observed >= generation);
}

export function condition(obj: KubeObject, type: string): JsonObject | undefined {
  const list = statusOf(obj).conditions;
  if (!Array.isArray(list)) return undefined;
  return list.find((c): c is JsonObject => isJsonObject(c) && c.type === type);
}

export function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}
