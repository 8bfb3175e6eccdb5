import { describe, expect, it } from 'vitest';
import { parseManifestFile } from './manifest-parser';

const parse = (text: string, path = 'deploy/app.yaml') => parseManifestFile(path, Buffer.from(text));

describe('manifest parsing', () => {
  it('reads multi-document YAML, skipping empty documents', () => {
    const docs = parse('---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n# nothing\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n');
    expect(docs.map((d) => [d.index, d.object.kind])).toEqual([[0, 'ConfigMap'], [3, 'Secret']]);
  });

  it('reads JSON and expands Lists', () => {
    const docs = parse(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }] }), 'x.json');
    expect(docs.map((d) => [d.item, d.object.metadata.name])).toEqual([[0, 'a'], [1, 'b']]);
  });

  it('reads YAML 1.2: yes and on are strings, merge keys work', () => {
    const [doc] = parse('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nbase: &b {x: "1"}\ndata:\n  <<: *b\n  flag: yes\n  on: on\n');
    expect(doc.object.data).toEqual({ x: '1', flag: 'yes', on: 'on' });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a syntax error, with its line', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n', /deploy\/app\.yaml document 1: line \d+/],
    ['duplicate keys', 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n', /document 1: .*[Mm]ap keys must be unique/],
    ['a scalar document', 'just text\n', /document 1: is not a mapping/],
    ['a missing kind', 'apiVersion: v1\nmetadata: {name: a}\n', /document 1: has no valid kind/],
    ['a missing apiVersion', 'kind: ConfigMap\nmetadata: {name: a}\n', /has no valid apiVersion/],
    ['missing metadata', 'apiVersion: v1\nkind: ConfigMap\n', /ConfigMap has no metadata/],
    ['an infinite number', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: .inf\n', /not finite/],
    ['the second document', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n[1, 2]\n', /document 2: is not a mapping/],
    ['a bad List item', 'apiVersion: v1\nkind: List\nitems: [{kind: X}]\n', /document 1 item 1: has no valid apiVersion/],
    ['too many aliases (billion laughs)', `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `l${i}: &l${i} [${Array(10).fill(i === 0 ? '*a' : `*l${i - 1}`).join(', ')}]`).join('\n')}\n`, /alias/i],
  ];
  it.each(bad)('refuses %s, naming the file and document', (_name, text, message) => {
    expect(() => parse(text)).toThrow(message);
    try {
      parse(text);
    } catch (err) {
      expect((err as { code: string }).code).toBe('invalid-manifest');
      expect((err as { errorClass: string }).errorClass).toBe('stalled');
    }
  });

  it('refuses invalid UTF-8 and oversized files', () => {
    expect(() => parseManifestFile('a.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe]))).toThrow(/not valid UTF-8/);
    expect(() => parseManifestFile('a.yaml', Buffer.alloc(5 * 1024 * 1024, 0x20))).toThrow(/limit per manifest file/);
  });
});
