import { type JsonObject, type JsonValue, isObject } from './sandbox.types';

/**
 * A set of field paths in the `FieldsV1` shape of managedFields: each step is a path element
 * string (`f:spec`, `k:{"name":"app"}`, `v:"x"`, `i:0`) and `.` marks a node that is itself a member.
 */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromFieldsV1(json: JsonValue | undefined): FieldSet {
    const set = new FieldSet();
    if (isObject(json)) set.readFieldsV1(json);
    return set;
  }

  private readFieldsV1(json: JsonObject): void {
    for (const [key, value] of Object.entries(json)) {
      if (key === '.') {
        this.member = true;
        continue;
      }
      const child = this.child(key);
      if (isObject(value) && Object.keys(value).length > 0) child.readFieldsV1(value);
      else child.member = true;
    }
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const key of [...this.children.keys()].sort(comparePathElements)) {
      out[key] = (this.children.get(key) as FieldSet).toFieldsV1();
    }
    return out;
  }

  child(key: string): FieldSet {
    let c = this.children.get(key);
    if (!c) {
      c = new FieldSet();
      this.children.set(key, c);
    }
    return c;
  }

  insert(path: readonly string[]): void {
    let node: FieldSet = this;
    for (const step of path) node = node.child(step);
    node.member = true;
  }

  /** The node at `path`, if any member lies at or below it. */
  at(path: readonly string[]): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const step of path) {
      node = node.children.get(step);
      if (!node) return undefined;
    }
    return node;
  }

  has(path: readonly string[]): boolean {
    return this.at(path)?.member ?? false;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) out.children.set(k, c.clone());
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.addAll(other);
    return out;
  }

  private addAll(other: FieldSet): void {
    if (other.member) this.member = true;
    for (const [k, c] of other.children) this.child(k).addAll(c);
  }

  /** Members of this set that are not members of `other`. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const d = o ? c.difference(o) : c.clone();
      if (!d.isEmpty()) out.children.set(k, d);
    }
    return out;
  }

  /** Members of this set that are not members of `other` nor below one of its members. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.member) return new FieldSet();
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const d = o ? c.recursiveDifference(o) : c.clone();
      if (!d.isEmpty()) out.children.set(k, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const i = c.intersection(o);
      if (!i.isEmpty()) out.children.set(k, i);
    }
    return out;
  }

  /** Every member path, parents before children. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member) out.push(prefix);
    for (const key of [...this.children.keys()].sort(comparePathElements)) {
      out.push(...(this.children.get(key) as FieldSet).paths([...prefix, key]));
    }
    return out;
  }
}

const ELEMENT_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function comparePathElements(a: string, b: string): number {
  const ta = ELEMENT_ORDER[a[0]] ?? 4;
  const tb = ELEMENT_ORDER[b[0]] ?? 4;
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fieldElement(name: string): string {
  return `f:${name}`;
}

export function keyElement(item: JsonObject, keys: readonly string[], defaults: Record<string, JsonValue>): string | undefined {
  const parts: JsonObject = {};
  for (const k of [...keys].sort()) {
    const v = item[k] ?? defaults[k];
    if (v === undefined || v === null || typeof v === 'object') return undefined;
    parts[k] = v;
  }
  return `k:${JSON.stringify(parts)}`;
}

export function valueElement(value: JsonValue): string {
  return `v:${JSON.stringify(value)}`;
}

/** `.spec.template.spec.containers[name="app"].image`, as the real conflict messages print paths. */
export function pathToString(path: readonly string[]): string {
  return path
    .map((step) => {
      const body = step.slice(2);
      switch (step[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const parsed = JSON.parse(body) as JsonObject;
          return `[${Object.entries(parsed)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
