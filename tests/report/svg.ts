import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One element of a parsed SVG, flattened. */
export interface SvgNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** Concatenated direct text children (entities decoded). */
  readonly text: string;
  /** Tags of the ancestors, outermost first, with their class attribute (`g.mark-rule …`). */
  readonly path: readonly string[];
}

/** A parsed SVG document: every element in document order. */
export interface ParsedSvg {
  readonly root: SvgNode;
  readonly nodes: readonly SvgNode[];
  /** Text of every <text> element, in document order. */
  readonly texts: readonly string[];
}

/**
 * Parses SVG text as XML (fast-xml-parser) after checking it is well-formed; throws with the parser's message
 * otherwise.
 */
export function parseSvg(svg: string): ParsedSvg {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`);
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, parseTagValue: false, parseAttributeValue: false, processEntities: true, htmlEntities: true });
  const tree = parser.parse(svg) as unknown[];
  const nodes: SvgNode[] = [];
  const walk = (items: unknown[], path: string[]) => {
    for (const item of items) {
      const obj = item as Record<string, unknown>;
      const tag = Object.keys(obj).find((k) => k !== ':@' && k !== '#text');
      if (!tag) continue;
      const attrs = (obj[':@'] ?? {}) as Record<string, string>;
      const children = obj[tag] as unknown[];
      const text = children
        .filter((c) => Object.hasOwn(c as object, '#text'))
        .map((c) => String((c as Record<string, unknown>)['#text']))
        .join('');
      nodes.push({ tag, attrs, text, path });
      walk(children, [...path, attrs.class ? `${tag}.${attrs.class}` : tag]);
    }
  };
  walk(tree, []);
  const root = nodes.find((n) => n.tag === 'svg');
  if (!root) throw new Error('no <svg> root element');
  return { root, nodes, texts: nodes.filter((n) => n.tag === 'text').map((n) => n.text) };
}

/** Marks of one kind (`rule mark`, `point`, `rect mark`, `text mark`) with their ARIA labels parsed into fields. */
export function marks(p: ParsedSvg, role: string): { fields: Map<string, string>; attrs: Readonly<Record<string, string>>; text: string }[] {
  return p.nodes
    .filter((n) => n.attrs['aria-roledescription'] === role)
    .map((n) => ({
      attrs: n.attrs,
      text: n.text,
      fields: new Map(
        (n.attrs['aria-label'] ?? '').split('; ').map((kv) => {
          const at = kv.indexOf(': ');
          return [kv.slice(0, at), kv.slice(at + 2)] as [string, string];
        }),
      ),
    }));
}

/** The translate(x, y) of an element's transform attribute. */
export function translate(attrs: Readonly<Record<string, string>>): [number, number] {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(attrs.transform ?? '');
  if (!m) throw new Error(`no translate in ${attrs.transform}`);
  return [Number(m[1]), Number(m[2])];
}
