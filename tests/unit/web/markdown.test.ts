/**
 * The one Markdown renderer and its profiles: formatting kept, active content removed, links
 * marked nofollow, images only from the portal's own upload download route (never a same-site
 * GET such as /logout fired by viewing a page), excerpts plain text.
 */
import { MARKDOWN_VERSION, isAllowedImageSource, markdownExcerpt, renderMarkdown, type MarkdownProfile } from '../../../src/web/markdown';

const PROFILES: MarkdownProfile[] = ['board', 'practices', 'messages'];
const OWN_IMAGE = '/practices/6650a1b2c3d4e5f6a7b8c9d0/files/6650a1b2c3d4e5f6a7b8c9d1?inline=1';

test('ordinary Markdown is kept (board and practices: tables; messages: none)', () => {
  const md = '**bold** *it* `code`\n\n> quoted\n\n- a\n- b\n\n| h |\n|---|\n| c |';
  for (const profile of ['board', 'practices'] as const) {
    const html = renderMarkdown(md, profile);
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<li>a</li>');
    expect(html).toContain('<td>c</td>');
  }
  expect(renderMarkdown(md, 'messages')).not.toContain('<table');
  expect(renderMarkdown(md, 'messages')).toContain('<strong>bold</strong>');
});

test('headings start under the page headings: h3 on the board and practices, h4 in messages', () => {
  expect(renderMarkdown('# A\n\n## B\n\n#### C', 'board')).toBe('<h3>A</h3>\n<h3>B</h3>\n<h4>C</h4>\n');
  expect(renderMarkdown('# A', 'practices')).toBe('<h3>A</h3>\n');
  expect(renderMarkdown('# A', 'messages')).toBe('<h4>A</h4>\n');
});

describe.each(PROFILES)('profile %s', (profile) => {
  test.each([
    ['<script>alert(1)</script>', /<script/i],
    ['<img src=x onerror=alert(1)>', /onerror|<img/i],
    ['[x](javascript:alert(1))', /javascript:/i],
    ['<a href="JaVaScRiPt:alert(1)">x</a>', /javascript:/i],
    ['[x](data:text/html;base64,PHNjcmlwdD4=)', /data:/i],
    ['<iframe src="https://evil.example"></iframe>', /<iframe/i],
    ['<div style="position:fixed">x</div>', /style=/i],
    ['<svg onload=alert(1)>', /<svg|onload/i],
    ['<form action="https://evil.example"><input></form>', /<form|<input/i],
    ['[x](//evil.example)', /evil\.example/],
    ['![i](/logout)', /<img|\/logout/],
    ['![i](/admin/users/1/suspend)', /<img/],
    ['<img src="/logout">', /<img|\/logout/],
    ['![i](http://example.org/a.png)', /<img|example\.org/],
    ['![i](//evil.example/a.png)', /<img|evil\.example/],
    ['![i](data:image/png;base64,AAAA)', /<img|data:/],
    ['![remote](https://tracker.example/pixel.png)', /<img/],
  ])('neutralised: %s', (input, forbidden) => {
    expect(renderMarkdown(input, profile)).not.toMatch(forbidden);
  });

  test('links get rel="nofollow noopener noreferrer"; an https image becomes a link, never an <img>', () => {
    expect(renderMarkdown('[site](https://example.org)', profile)).toBe('<p><a href="https://example.org" rel="nofollow noopener noreferrer">site</a></p>\n');
    expect(renderMarkdown('![plan](https://example.org/plan.png)', profile)).toBe('<p><a href="https://example.org/plan.png" rel="nofollow noopener noreferrer">plan</a></p>\n');
    expect(renderMarkdown('![alt text](/logout)', profile)).toBe('<p>alt text</p>\n');
  });
});

test('an image from the own upload download route is shown on the board and in practices, not in messages', () => {
  expect(isAllowedImageSource(OWN_IMAGE)).toBe(true);
  expect(isAllowedImageSource('/practices/6650a1b2c3d4e5f6a7b8c9d0/delete')).toBe(false);
  expect(isAllowedImageSource('/logout')).toBe(false);
  for (const profile of ['board', 'practices'] as const) {
    expect(renderMarkdown(`![plan](${OWN_IMAGE})`, profile)).toBe(`<p><img src="${OWN_IMAGE.replace('?', '?')}" alt="plan" loading="lazy" /></p>\n`);
    expect(renderMarkdown(`<img src="${OWN_IMAGE}" alt="raw">`, profile)).toContain('<img');
  }
  expect(renderMarkdown(`![plan](${OWN_IMAGE})`, 'messages')).not.toContain('<img');
});

test('the renderer has a version to store with the HTML', () => {
  expect(MARKDOWN_VERSION).toBeGreaterThanOrEqual(2);
});

test('excerpts are plain text cut at a word', () => {
  expect(markdownExcerpt('# Title\n\nSome **bold** & <b>tags</b>')).toBe('Title Some bold & tags');
  const long = markdownExcerpt('word '.repeat(100), 30);
  expect(long.endsWith('…')).toBe(true);
  expect(long.length).toBeLessThanOrEqual(31);
});
