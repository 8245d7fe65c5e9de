/**
 * The form text normalisation and its split between single-line and multi-line fields.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MULTI_LINE_FIELDS, normaliseFormBody, normaliseFormText } from '../../../src/web/body';

test('NFC, line ends and control characters, for every field', () => {
  expect(normaliseFormText('Cafe\u0301', false)).toBe('Café');
  expect(normaliseFormText('a\x00b\x07c\x1bd\x7fe\x85f', true)).toBe('abcdef');
  expect(normaliseFormText('one\r\ntwo\rthree\n\tfour', true)).toBe('one\ntwo\nthree\n\tfour');
});

test('single-line fields lose newlines, tabs and bidi controls; multi-line fields keep them', () => {
  const spoof = 'Acme\u202Egpj.exe\u202C \u2066x\u2069 \u202Ay\u202B';
  expect(normaliseFormText(spoof, false)).toBe('Acmegpj.exe x y');
  expect(normaliseFormText(spoof, true)).toBe(spoof);
  expect(normaliseFormText('a\nb\tc', false)).toBe('a b c');
});

test('a body: values and lists normalised by their field name, secrets kept as typed', () => {
  const body = { name: 'Li\u202E Wei\x00', body: 'line\r\nnext\u202E', themes: ['a\x00', 'b'], password: 'pa\u202Ess\x01', _csrf: 'tok' };
  normaliseFormBody(body);
  expect(body).toEqual({ name: 'Li Wei', body: 'line\nnext\u202E', themes: ['a', 'b'], password: 'pa\u202Ess\x01', _csrf: 'tok' });
});

/** Every textarea name in the views, from the field partial's `type: 'textarea'` and raw tags. */
function textareaNames(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) {
      for (const n of textareaNames(file)) names.add(n);
      continue;
    }
    if (!file.endsWith('.ejs')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/name: '([^']+)', type: 'textarea'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/type: 'textarea'[^)]*?name: '([^']+)'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/<textarea[^>]*\sname="([^"<]+)"/g)) names.add(m[1]!);
  }
  return names;
}

test('every textarea of the views is a multi-line field (so its newlines survive)', () => {
  const names = textareaNames(path.resolve(__dirname, '../../../views'));
  expect(names.size).toBeGreaterThan(10);
  for (const name of names) expect({ name, multiLine: MULTI_LINE_FIELDS.has(name) }).toEqual({ name, multiLine: true });
});
