/**
 * A strict XML 1.0 well-formedness check for the JUnit reports (no XML parser is installed):
 * one root element, balanced tags, quoted attributes without duplicates, only the predefined and
 * numeric entity references (to allowed characters), no character outside XML's Char production.
 * Returns the element tree; throws with the offset of the first problem.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function parseXml(xml: string): XmlElement {
  const bad = BAD_CHAR.exec(xml);
  if (bad) throw new Error(`character U+${bad[0].charCodeAt(0).toString(16)} not allowed at ${bad.index}`);
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
      if (ref === undefined) return fail('bare &');
      if (ENTITIES[ref]) return ENTITIES[ref];
      const code = /^#x[0-9a-fA-F]+$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
      const ch = Number.isNaN(code) || code > 0x10ffff ? '' : String.fromCodePoint(code);
      if (ch === '' || BAD_CHAR.test(ch)) return fail(`bad reference ${m}`);
      return ch;
    });
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    at = end + 2;
  }
  const skipSpace = () => {
    while (/\s/.test(xml[at] ?? '')) at++;
  };
  const element = (): XmlElement => {
    if (xml[at] !== '<') fail('expected <');
    at++;
    const name = NAME.exec(xml.slice(at))?.[0] ?? fail('expected a tag name');
    at += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (xml.startsWith('/>', at)) {
        at += 2;
        return el;
      }
      if (xml[at] === '>') {
        at++;
        break;
      }
      const attr = NAME.exec(xml.slice(at))?.[0] ?? fail('expected an attribute');
      at += attr.length;
      if (xml[at] !== '=') fail('expected =');
      const quote = xml[++at];
      if (quote !== '"' && quote !== "'") fail('expected a quote');
      const end = xml.indexOf(quote, at + 1);
      if (end < 0) fail('unterminated attribute');
      const raw = xml.slice(at + 1, end);
      if (raw.includes('<')) fail('< in an attribute');
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = decode(raw);
      at = end + 1;
    }
    for (;;) {
      const next = xml.indexOf('<', at);
      if (next < 0) fail(`unclosed <${name}>`);
      el.text += decode(xml.slice(at, next));
      at = next;
      if (xml.startsWith('</', at)) {
        at += 2;
        if (!xml.startsWith(name, at) || xml[at + name.length] !== '>') fail(`expected </${name}>`);
        at += name.length + 1;
        return el;
      }
      el.children.push(element());
    }
  };
  skipSpace();
  const root = element();
  skipSpace();
  if (at !== xml.length) fail('content after the root element');
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => findAll(c, name))];
}
