/**
 * The shared Markdown renderer as the board uses it: formatting kept, active content removed,
 * links marked nofollow, remote images dropped, excerpts plain text.
 */
import { markdownExcerpt, renderMarkdown } from '../../../src/web/markdown';

test('ordinary Markdown is kept', () => {
  const html = renderMarkdown('**bold** *it* `code`\n\n> quoted\n\n- a\n- b\n\n| h |\n|---|\n| c |');
  expect(html).toContain('<strong>bold</strong>');
  expect(html).toContain('<em>it</em>');
  expect(html).toContain('<code>code</code>');
  expect(html).toContain('<blockquote>');
  expect(html).toContain('<li>a</li>');
  expect(html).toContain('<td>c</td>');
});

test.each([
  ['<script>alert(1)</script>', /<script/i],
  ['<img src=x onerror=alert(1)>', /onerror/i],
  ['[x](javascript:alert(1))', /javascript:/i],
  ['<a href="JaVaScRiPt:alert(1)">x</a>', /javascript:/i],
  ['[x](data:text/html;base64,PHNjcmlwdD4=)', /data:/i],
  ['<iframe src="https://evil.example"></iframe>', /<iframe/i],
  ['<div style="position:fixed">x</div>', /style=/i],
  ['<svg onload=alert(1)>', /<svg|onload/i],
  ['<form action="https://evil.example"><input></form>', /<form|<input/i],
  ['![remote](https://tracker.example/pixel.png)', /tracker\.example/],
  ['[x](//evil.example)', /evil\.example/],
])('neutralised: %s', (input, forbidden) => {
  expect(renderMarkdown(input)).not.toMatch(forbidden);
});

test('links get rel="nofollow noopener"; local images stay', () => {
  expect(renderMarkdown('[site](https://example.org)')).toBe('<p><a href="https://example.org" rel="nofollow noopener">site</a></p>\n');
  expect(renderMarkdown('![plan](/public/img/logo.svg)')).toContain('<img src="/public/img/logo.svg" alt="plan" />');
});

test('excerpts are plain text cut at a word', () => {
  expect(markdownExcerpt('# Title\n\nSome **bold** & <b>tags</b>')).toBe('Title Some bold & tags');
  const long = markdownExcerpt('word '.repeat(100), 30);
  expect(long.endsWith('…')).toBe(true);
  expect(long.length).toBeLessThanOrEqual(31);
});
