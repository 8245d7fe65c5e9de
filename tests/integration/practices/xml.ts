/**
 * A strict enough XML reader for checking the Atom feed without an XML library: htmlparser2 in
 * XML mode builds the tree, and the document is refused when a tag had to be closed implicitly,
 * when there is more than one root, or when text holds a bare & or <.
 */
import { Parser } from 'htmlparser2';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXmlStrict(source: string): XmlElement {
  const body = source.replace(/^<\?xml[^?]*\?>\s*/, '');
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(body)) throw new Error('bare & in XML');
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const selfClosing = new WeakSet<XmlElement>();
  let problem: string | null = null;
  const parser: Parser = new Parser(
    {
      onopentag(name, attrs) {
        const el: XmlElement = { name, attrs, children: [], text: '' };
        if (body.slice(parser.startIndex, parser.endIndex + 1).endsWith('/>')) selfClosing.add(el);
        stack[stack.length - 1]!.children.push(el);
        stack.push(el);
      },
      ontext(text) {
        stack[stack.length - 1]!.text += text;
      },
      onclosetag(name, isImplied) {
        if (isImplied && !selfClosing.has(stack[stack.length - 1]!)) problem ??= `<${name}> not closed`;
        stack.pop();
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.write(body);
  parser.end();
  if (problem) throw new Error(problem);
  if (stack.length !== 1) throw new Error('unclosed elements');
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return root.children[0]!;
}

export const childrenNamed = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
export const childNamed = (el: XmlElement, name: string) => childrenNamed(el, name)[0];
