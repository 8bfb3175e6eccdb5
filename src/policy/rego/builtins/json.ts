/** json.filter, json.remove and json.patch (RFC 6902) over values. */
import { ObjectBuilder, SetValue, equal, isObject, objectGet, sortedEntries, type Value } from '../value';
import { obj, members } from './operands';
import { builtinError, register, typeError } from './registry';

type Path = Value[];

function parsePaths(v: Value, pos: number): Path[] {
  return members(v, pos, 'set', 'array').map((p) => {
    if (typeof p === 'string') return p.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (Array.isArray(p)) return [...p];
    throw typeError(pos, p, 'string', 'array');
  });
}

interface Trie {
  end: boolean;
  children: Map<string, [Value, Trie]>;
}

function trieOf(paths: Path[]): Trie {
  const root: Trie = { end: false, children: new Map() };
  for (const p of paths) {
    let n = root;
    for (const seg of p) {
      const k = JSON.stringify(seg);
      let c = n.children.get(k);
      if (!c) {
        c = [seg, { end: false, children: new Map() }];
        n.children.set(k, c);
      }
      n = c[1];
    }
    n.end = true;
  }
  return root;
}

function childOf(t: Trie, key: Value): Trie | undefined {
  const hit = t.children.get(JSON.stringify(key)) ?? (typeof key === 'number' ? t.children.get(JSON.stringify(String(key))) : undefined);
  return hit?.[1];
}

function filter(v: Value, t: Trie): Value | undefined {
  if (t.end) return v;
  if (isObject(v)) {
    const out = new ObjectBuilder();
    for (const [k, x] of sortedEntries(v)) {
      const c = childOf(t, k);
      if (!c) continue;
      const f = filter(x, c);
      if (f !== undefined) out.set(k, f);
    }
    return out.build();
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const c = childOf(t, i);
      if (!c) return;
      const f = filter(x, c);
      if (f !== undefined) out.push(f);
    });
    return out;
  }
  if (v instanceof SetValue) {
    const out = new SetValue();
    for (const x of v.sortedValues()) {
      const c = childOf(t, x);
      if (c) out.add(x);
    }
    return out;
  }
  return undefined;
}

function remove(v: Value, t: Trie): Value | undefined {
  if (t.end) return undefined;
  if (isObject(v)) {
    const out = new ObjectBuilder();
    for (const [k, x] of sortedEntries(v)) {
      const c = childOf(t, k);
      if (!c) out.set(k, x);
      else {
        const r = remove(x, c);
        if (r !== undefined) out.set(k, r);
      }
    }
    return out.build();
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const c = childOf(t, i);
      if (!c) out.push(x);
      else {
        const r = remove(x, c);
        if (r !== undefined) out.push(r);
      }
    });
    return out;
  }
  if (v instanceof SetValue) {
    const out = new SetValue();
    for (const x of v.sortedValues()) if (!childOf(t, x)?.end) out.add(x);
    return out;
  }
  return v;
}

register('json.filter', 2, ([o, p]) => filter(obj(o, 1), trieOf(parsePaths(p, 2))) ?? new ObjectBuilder().build());
register('json.remove', 2, ([o, p]) => remove(obj(o, 1), trieOf(parsePaths(p, 2))) ?? new ObjectBuilder().build());

// ---- json.patch ----

function pointer(v: Value | undefined): Path {
  if (typeof v === 'string') {
    if (v === '') return [];
    if (!v.startsWith('/')) throw builtinError(`invalid JSON pointer ${JSON.stringify(v)}`);
    return v.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  if (Array.isArray(v)) return [...v];
  throw builtinError('patch path must be a string or an array');
}

function getAt(doc: Value, path: Path): Value | undefined {
  let cur: Value | undefined = doc;
  for (const seg of path) {
    if (cur === undefined) return undefined;
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = objectGet(cur, seg);
    else if (cur instanceof SetValue) cur = cur.has(seg) ? seg : undefined;
    else return undefined;
  }
  return cur;
}

/** Returns doc with f applied to the container at path[:-1] and the last segment. */
function update(doc: Value, path: Path, f: (parent: Value, key: Value) => Value): Value {
  if (path.length === 0) throw builtinError('patch path must not be empty');
  const [seg, ...rest] = path;
  if (rest.length === 0) return f(doc, seg);
  const child = getAt(doc, [seg]);
  if (child === undefined) throw builtinError(`patch path ${JSON.stringify(path)} does not exist`);
  return setChild(doc, seg, update(child, rest, f));
}

function setChild(doc: Value, key: Value, v: Value): Value {
  if (Array.isArray(doc)) {
    const i = Number(key);
    const out = [...doc];
    out[i] = v;
    return out;
  }
  if (isObject(doc)) {
    const b = new ObjectBuilder();
    for (const [k, x] of sortedEntries(doc)) b.set(k, x);
    b.set(key, v);
    return b.build();
  }
  throw builtinError('patch target is not a container');
}

function addAt(doc: Value, path: Path, v: Value): Value {
  if (path.length === 0) return v;
  return update(doc, path, (parent, key) => {
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw builtinError(`patch index ${String(key)} out of range`);
      return [...parent.slice(0, i), v, ...parent.slice(i)];
    }
    if (parent instanceof SetValue) {
      const s = SetValue.of(parent.sortedValues());
      s.add(v);
      return s;
    }
    return setChild(parent, key, v);
  });
}

function removeAt(doc: Value, path: Path): Value {
  return update(doc, path, (parent, key) => {
    if (Array.isArray(parent)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw builtinError(`patch index ${String(key)} out of range`);
      return [...parent.slice(0, i), ...parent.slice(i + 1)];
    }
    if (parent instanceof SetValue) return SetValue.of(parent.sortedValues().filter((x) => !equal(x, key)));
    if (!isObject(parent) || objectGet(parent, key) === undefined) throw builtinError(`patch path does not exist`);
    const b = new ObjectBuilder();
    for (const [k, x] of sortedEntries(parent)) if (!equal(k, key)) b.set(k, x);
    return b.build();
  });
}

function applyOp(doc: Value, op: Value): Value {
  if (!isObject(op)) throw builtinError('patch operation must be an object');
  const kind = objectGet(op, 'op');
  const path = pointer(objectGet(op, 'path'));
  const value = objectGet(op, 'value');
  switch (kind) {
    case 'add':
      if (value === undefined) throw builtinError('add requires a value');
      return addAt(doc, path, value);
    case 'remove':
      return removeAt(doc, path);
    case 'replace':
      if (value === undefined) throw builtinError('replace requires a value');
      if (getAt(doc, path) === undefined) throw builtinError('replace path does not exist');
      return path.length === 0 ? value : update(doc, path, (parent, key) => setChild(parent, key, value));
    case 'move':
    case 'copy': {
      const from = pointer(objectGet(op, 'from'));
      const v = getAt(doc, from);
      if (v === undefined) throw builtinError(`${kind} from path does not exist`);
      const base = kind === 'move' ? removeAt(doc, from) : doc;
      return addAt(base, path, v);
    }
    case 'test': {
      const v = getAt(doc, path);
      if (v === undefined || value === undefined || !equal(v, value)) throw builtinError('test operation failed');
      return doc;
    }
    default:
      throw builtinError(`unknown patch operation ${JSON.stringify(kind)}`);
  }
}

register('json.patch', 2, ([doc, ops]) => {
  if (!Array.isArray(ops)) throw typeError(2, ops, 'array');
  let cur = doc;
  try {
    for (const op of ops) cur = applyOp(cur, op);
  } catch {
    return undefined;
  }
  return cur;
});
