/**
 * Guard: every e-mail of the booth workflow, for every recipient role it goes to, in both
 * languages — every key translated, every parameter filled, no double period after a name that
 * ends with one ("Co., Ltd."), and the SME alone is asked to confirm booths.
 */
import { renderMail } from '../../../src/web/mail';
import { i18n } from '../../../src/web/i18n';
import { AUDIENCE, stepMail } from '../../../src/modules/fair/notify';
import { REQUEST_ACTIONS } from '../../../src/modules/fair/workflow';
import { LANGUAGES } from '../../../src/kernel';

beforeAll(() => {
  i18n();
});

const CASES = REQUEST_ACTIONS.flatMap((action) => AUDIENCE[action].map((audience) => [action, audience] as const));

test.each(CASES)('%s → %s: translated in both languages, parameters filled, no double period', (action, audience) => {
  const texts = LANGUAGES.map((lang) => {
    const content = stepMail(
      { action, audience, company: 'Penang Batik Co., Ltd.', edition: { en: 'CISMEF 2027', 'zh-CN': '2027年中博会' }, member: { en: 'Malaysia', 'zh-CN': '马来西亚' }, url: 'https://asem.example/fair/requests/1', note: 'A note', booths: ['A01', 'A02'] },
      lang,
    );
    const mail = renderMail({ email: 'x@example.org', name: 'Reader', language: lang }, content);
    for (const text of [mail.subject, mail.text]) {
      expect(text).not.toMatch(/fair:|mail\.\w+\.\w+/); // a missing key shows itself
      expect(text).not.toContain('{{');
      expect(text).not.toContain('..');
      expect(text).not.toContain('.。');
    }
    expect(mail.text).toMatch(lang === 'en' ? /Malaysia|Penang Batik/ : /马来西亚|Penang Batik/);
    return mail;
  });
  const [en, zh] = texts;
  expect(zh!.subject).not.toBe(en!.subject);
  expect(zh!.text.split('\n')[2]).not.toBe(en!.text.split('\n')[2]);
  // Only the company confirms booths: nobody else is asked to.
  if (audience !== 'member') expect(en!.text).not.toMatch(/please confirm/i);
});

test('every role an e-mail goes to has its own text for that step', () => {
  for (const action of REQUEST_ACTIONS) {
    const bodies = AUDIENCE[action].map((audience) => stepMail({ action, audience, company: 'C', edition: { en: 'E', 'zh-CN': 'E' }, member: { en: 'M', 'zh-CN': 'M' }, url: 'u' }, 'en').lines[0]);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(bodies.length);
  }
});
