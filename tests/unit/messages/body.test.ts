/**
 * Message bodies: active content is refused with a clear message; ordinary text that merely looks
 * similar is not; and what the check cannot see is still neutralised by the shared renderer.
 */
import { messageBody } from '../../../src/modules/messages/service';
import { renderMarkdown } from '../../../src/web/markdown';

const body = messageBody();

test.each([
  'Question one = yes',
  'JavaScript: we use it for our shop',
  'See <https://example.org>',
  'a <b>bold</b> word',
  'data: 5 booths requested',
  '中文消息：展位安排',
])('accepted: %s', (text) => {
  expect(body.safeParse(text).success).toBe(true);
});

test.each([
  '[click](javascript:alert(1))',
  '[click]( javascript:alert(1))',
  '<img src=x onerror=alert(1)>',
  '<img/onerror=alert(1) src=x>',
  '<script>alert(1)</script>',
  '<javascript:alert(1)>',
  '[x]: javascript:alert(1)',
  '<a href="javascript:alert(1)">x</a>',
  '<SVG/onload=alert(1)>',
  '[x](data:text/html;base64,PHNjcmlwdD4=)',
  '<div style="position:fixed">',
  '<iframe src="https://evil.example"></iframe>',
])('refused: %s', (text) => {
  const result = body.safeParse(text);
  expect(result.success).toBe(false);
  expect(result.error?.issues[0]?.message).toBe('messages:errors.unsafeContent');
});

test('lengths: empty and over 10,000 characters are refused, line endings normalised', () => {
  expect(body.safeParse('   \n ').success).toBe(false);
  expect(body.safeParse('x'.repeat(10_001)).success).toBe(false);
  expect(body.safeParse('x'.repeat(10_000)).success).toBe(true);
  expect(body.parse('  a\r\nb  ')).toBe('a\nb');
});

test('what slips past the check is neutralised when rendered', () => {
  const html = renderMarkdown('[x](javascript&#58;alert(1)) <b onclick="x">b</b>', 'messages');
  expect(html).not.toMatch(/javascript/i);
  expect(html).not.toMatch(/onclick/i);
});
