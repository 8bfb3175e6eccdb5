import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readPlainYaml } from './plain-yaml';

/**
 * The fast reader is held to `yaml`, with parseManifestFile's options: wherever it answers, the
 * documents, values, types and key order must be the full parser's, and an input the full parser
 * refuses must never be answered. Declining is always allowed; the coverage checks below make sure
 * the manifests people write are not declined.
 */
function full(text: string): unknown[] | 'error' {
  const docs = parseAllDocuments(text, { uniqueKeys: true, merge: true, prettyErrors: true, strict: true });
  if (!Array.isArray(docs)) return [];
  if (docs.some((d) => d.errors.length > 0)) return 'error';
  try {
    return docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);
  } catch {
    return 'error';
  }
}

/** Null when the two agree (or the reader declines), else what differs. */
function disagreement(text: string): string | null {
  const fast = readPlainYaml(text);
  if (fast === undefined) return null;
  const reference = full(text);
  if (reference === 'error') return `read ${JSON.stringify(fast)}, but yaml refuses ${JSON.stringify(text)}`;
  if (JSON.stringify(fast) !== JSON.stringify(reference) || !isDeepStrictEqual(fast, reference)) {
    return `read ${JSON.stringify(fast)}, yaml reads ${JSON.stringify(reference)} from ${JSON.stringify(text)}`;
  }
  return null;
}

function expectSame(text: string): void {
  expect(disagreement(text)).toBeNull();
}

/** A small seeded generator (mulberry32), so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['name', 'kind', 'apiVersion', 'app.kubernetes.io/name', 'a', 'b', 'x-y', '_u', 'y', 'on', 'k.', '"q"', "'s'", '"a b"'];
const ODD_KEYS = ['null', 'true', 'False', '__proto__', '<<', '1', '01', 'a b', '"a:b"', '-k', '~', 'é', 'a#b', 'key ', '"__proto__"', '? k', 'k :', '&a k', '!t k'];
const SCALARS = [
  'value', 'registry.example.com/shop/app:1.2.3', '500m', '256Mi', '0', '1', '-1', '123456789012345', 'true', 'False', '~', 'null', 'yes', 'off', '2024-01-02', '-x', '--flag=1',
  'a #c', 'a#c', 'a  b', 'a, b', 'x[0]', '$HOME', '/path', '.hidden', 'é 日本', '[a, b]', '[ ]', '{}', '{a: b, c: [d, e]}', '[{a: b}]', '{"a": b}', '[x:1, y]', "'q'", '"d"', "'it''s'", '""', '|', '|-',
];
const ODD_SCALARS = [
  '-0', '007', '1.0', '1.', '.5', '1e3', '1E-2', '+1', '0x1F', '0o17', '0o8', '.inf', '-.Inf', '.nan', '.NaN', 'NaN', 'inf', '1234567890123456', 'nULL', 'tRUE', '12:30', '1:2', '-', '- x',
  '-#', '-,', '?x', ':x', 'x:', 'x: y', 'x:y', 'x{y}', '[a,b]', '[]', '{ }', '{a: {b: c}}', '[a, ]', '[a,, b]', '{a}', '{a: }', '{a:b}', "{'a': b}", '[a b]', '["a" b]', '[a:]', '[a: b]', '{a: b:c}',
  '"a\\tb"', '"a\'b"', "'a\"b'", "''", '"', "'", '"x" y', '"x" #c', "'x'#c", '&a x', '*a', '!t x', '!!str 1', '>', '|+', '|2', '|#', '| #c', '@x', '`x', '%x', '#c', 'a\tb', '.5x', 'x #',
];
class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = random(seed);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  key(): string {
    return this.chance(0.06) ? this.pick(ODD_KEYS) : this.pick(KEYS);
  }
  scalar(): string {
    return this.chance(0.08) ? this.pick(ODD_SCALARS) : this.pick(SCALARS);
  }
  /** The lines of a literal block scalar after its header, at `indent`. */
  literal(indent: number): string[] {
    const pad = ' '.repeat(indent);
    const lines: string[] = [];
    for (let i = 0, n = this.int(4); i <= n; i++) {
      lines.push(this.pick([`${pad}text`, `${pad}  deeper`, '', `${pad}# not a comment`, `${pad}a: b`, `${pad}- x`, pad, `${pad}   `, `${pad}trailing  `, ' '.repeat(Math.max(0, indent - 1)) + 'less']));
    }
    return lines;
  }
  comment(): string {
    return this.chance(0.15) ? ` ${this.pick(['#', '# c', '#c: d', '# - x'])}` : '';
  }
  /** Lines of a block node at `indent`. */
  block(indent: number, depth: number): string[] {
    const pad = ' '.repeat(indent);
    const lines: string[] = [];
    const n = 1 + this.int(4);
    const seq = this.chance(0.3);
    for (let i = 0; i < n; i++) {
      if (this.chance(0.08)) lines.push(this.pick(['', '   ', `${pad}# note`, '# left', `${pad}  # deeper`]));
      const step = this.pick([2, 2, 2, 4, 1, 3]);
      const lead = seq ? `${pad}-${this.pick([' ', ' ', '  '])}` : `${pad}${this.key()}:${this.pick([' ', ' ', '  '])}`;
      const nest = depth < 4 && this.chance(0.35);
      if (nest) {
        const child = this.block(seq && this.chance(0.5) ? indent + 2 : indent + step, depth + 1);
        if (seq && this.chance(0.4)) {
          // compact: the child's first line on the entry's line
          const first = child[0].trimStart();
          lines.push(`${pad}- ${first}`, ...child.slice(1));
        } else if (!seq && this.chance(0.2) && child[0].trimStart().startsWith('-')) {
          lines.push(`${lead.trimEnd()}${this.comment()}`, ...child.map((l) => l.slice(Math.min(step, l.length - l.trimStart().length))));
        } else {
          lines.push(`${lead.trimEnd()}${this.comment()}`, ...child);
        }
      } else {
        const empty = this.chance(0.05);
        const value = this.scalar();
        lines.push(empty ? lead.trimEnd() : `${lead}${value}${this.comment()}${this.chance(0.05) ? '  ' : ''}`);
        if (value.startsWith('|') || value.startsWith('>')) lines.push(...this.literal(indent + this.pick([1, 2, 2, 4])));
      }
    }
    return lines;
  }
  document(): string {
    const docs: string[] = [];
    const count = 1 + this.int(3);
    for (let i = 0; i < count; i++) {
      const body = this.chance(0.1) ? [] : this.block(this.chance(0.1) ? 2 : 0, 0);
      docs.push([...(i > 0 || this.chance(0.3) ? [(this.chance(0.05) ? this.pick(['---x', '---#', '...', '--- x']) : this.pick(['---', '--- ', '--- # c']))] : []), ...body].join('\n'));
    }
    return docs.join('\n') + (this.chance(0.7) ? '\n' : '');
  }
  /** The same text with one small change: the kind of slip that turns valid YAML into an error or something else. */
  mutate(text: string): string {
    const at = this.int(text.length + 1);
    const edit = this.int(4);
    if (edit === 0) return text.slice(0, at) + text.slice(at + 1);
    if (edit === 1) return text.slice(0, at) + this.pick([' ', ':', '#', '-', '"', "'", '{', '[', ',', '\n', '  ', ': ', ' #', '\t', '\r', '&', '!']) + text.slice(at);
    if (edit === 2) return text.replace(/\n( *)/, (_m, s: string) => `\n${s}${this.pick([' ', '  '])}`);
    return text.replace(/\n {2}/, '\n ');
  }
}

describe('readPlainYaml', () => {
  it('reads what manifests are made of exactly as yaml does', () => {
    const manifest = [
      '# the app',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: app-0',
      '  namespace: shop',
      '  labels: { team: payments, app.kubernetes.io/name: app }',
      '  annotations:',
      '    note: "a quoted: value"',
      "    other: 'it''s'",
      'spec:',
      '  replicas: 2',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app-0',
      '          image: registry.example.com/shop/app-0:1.1981.0  # pinned',
      '          args: [--port, "8080", -v]',
      '          ports:',
      '          - containerPort: 8080',
      '            protocol: TCP',
      '          resources: { limits: { cpu: 500m, memory: 256Mi } }',
      '          env: []',
      '      volumes:',
      '      -',
      '      - name: empty',
      '        emptyDir: {}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: app}',
      'spec:',
      '  enabled: true',
      '  other: ~',
      '  ports:',
      '  - port: -1',
      '',
    ].join('\n');
    const read = readPlainYaml(manifest);
    expect(read).toBeDefined();
    expect(read).toHaveLength(2);
    expectSame(manifest);
    for (const text of ['', '# only', '---\n', '---\n---\n', 'a: 1\n---\n', '\n# x\n---\na: 1', '---\na: 1\n---\n# only\n---\nb: 2', 'a:\n- x\n- y\nb: 1', '  a: 1\n  b: 2', '- a: 1\n  b: [x]\n- c']) {
      expect(readPlainYaml(text), JSON.stringify(text)).toBeDefined();
      expectSame(text);
    }
  });

  it('leaves anchors, tags, block scalars, escapes, odd numbers and odd keys to the full parser', () => {
    for (const text of [
      'a: &x 1\nb: *x',
      'a: !!str 1',
      'a: |\n  text',
      'a: >-\n  text',
      'a: "tab\\there"',
      'a: 1.5',
      'a: 0x10',
      'a: 007',
      'a: .inf',
      'a: 12345678901234567',
      '1: a',
      'true: a',
      '__proto__: {}',
      '<<: {a: 1}',
      'a b: 1',
      'a: b\n  c',
      'a: [b,\n  c]',
      '%YAML 1.2\n---\na: 1',
      'a: 1\n...\n',
      '\ufeffa: 1',
      'a:\r\n  b: 1',
      'a:\tb',
      'a: 1\na: 2',
      '? a\n: b',
    ]) {
      expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('agrees with yaml on every repository YAML file it reads', () => {
    const root = join(__dirname, '..', '..', '..');
    const files = execFileSync('git', ['ls-files', '-z', '--', '*.yaml', '*.yml'], { cwd: root }).toString('utf8').split('\0').filter(Boolean);
    let manifests = 0;
    let read = 0;
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(disagreement(text), file).toBeNull();
      // OPA's conformance cases hold Rego with tabs in their block scalars: left to yaml, as they should be
      if (file.startsWith('test/conformance/')) continue;
      manifests++;
      if (readPlainYaml(text) !== undefined) read++;
    }
    expect(manifests).toBeGreaterThan(30);
    // most of them are plain; a reader that declined everything would be correct but useless
    expect(read / manifests).toBeGreaterThan(0.8);
  });

  // GITSEAL_YAML_FUZZ_CASES=300000 (and GITSEAL_YAML_FUZZ_FIRST, the first seed) for a long run,
  // with --testTimeout 0; a failure names its seed
  it('agrees with yaml on generated documents and on small slips in them', async () => {
    let answered = 0;
    let refusedByYaml = 0;
    const cases = Number(process.env.GITSEAL_YAML_FUZZ_CASES ?? 10_000);
    const first = Number(process.env.GITSEAL_YAML_FUZZ_FIRST ?? 1);
    for (let seed = first; seed < first + cases; seed++) {
      // a long run lets the test runner hear from this worker now and then
      if (seed % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
      const gen = new Gen(seed);
      let text = gen.document();
      if (seed % 2 === 0) text = gen.mutate(text);
      const problem = disagreement(text);
      if (problem) throw new Error(`seed ${seed}: ${problem}`);
      if (readPlainYaml(text) !== undefined) answered++;
      else if (full(text) === 'error') refusedByYaml++;
    }
    // the generator must reach both sides: inputs the reader answers, and errors it leaves alone
    expect(answered).toBeGreaterThan(cases * 0.15);
    expect(refusedByYaml).toBeGreaterThan(cases * 0.1);
  });
});
