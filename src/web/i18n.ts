/**
 * English and Chinese. Catalogues are the JSON files in locales/<language>/, one namespace per file
 * (common.json is the default namespace, so views write t('nav.fair') or t('fair:title')).
 * The reader's language comes from ?lang= (then kept in a cookie), the cookie, the account's
 * preference, or Accept-Language, in that order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18n, type TFunction } from 'i18next';
import type { NextFunction, Request, Response } from 'express';

import { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, type Language } from '../kernel';

export { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, type Language };
export const LANG_COOKIE = 'lang';

const LOCALES_DIR = path.resolve(__dirname, '../../locales');

function loadResources(): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lang of LANGUAGES) {
    resources[lang] = {};
    for (const file of readdirSync(path.join(LOCALES_DIR, lang)).filter((f) => f.endsWith('.json'))) {
      resources[lang][file.slice(0, -5)] = JSON.parse(readFileSync(path.join(LOCALES_DIR, lang, file), 'utf8'));
    }
  }
  return resources;
}

let instance: I18n | undefined;

/** The catalogues, loaded on first use (synchronously: they are small local files). */
export function i18n(): I18n {
  if (instance) return instance;
  const resources = loadResources();
  const created = i18next.createInstance();
  void created.init({
    initAsync: false,
    resources: resources as never,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(resources[DEFAULT_LANGUAGE]),
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // EJS escapes with <%= %>
    returnNull: false,
  });
  instance = created;
  return created;
}

const translators = new Map<Language, TFunction>();

/** The most plain keys remembered per language (keys come from code, so far fewer exist). */
const MAX_REMEMBERED_KEYS = 20_000;

/**
 * The t function of a language, made once. A call with a key and nothing else (most calls in the
 * views: labels, headings, navigation) is answered from a table filled on first use, so i18next
 * parses the `namespace:key`, walks the catalogue and runs its post-processing once per key and
 * language rather than on every call. Calls with options (interpolation, plurals, a default value)
 * go to i18next each time. The catalogues do not change while the process runs, so the table
 * never goes stale.
 */
export function translator(lang: Language): TFunction {
  let t = translators.get(lang);
  if (!t) {
    const fixed = i18n().getFixedT(lang);
    const plain = new Map<string, string>();
    const fast = ((key: unknown, ...rest: unknown[]) => {
      if (typeof key === 'string' && rest.length === 0) {
        const known = plain.get(key);
        if (known !== undefined) return known;
        const value = (fixed as (k: string) => unknown)(key);
        if (typeof value === 'string' && plain.size < MAX_REMEMBERED_KEYS) plain.set(key, value);
        return value;
      }
      return (fixed as unknown as (...args: unknown[]) => unknown)(key, ...rest);
    }) as unknown as TFunction;
    t = fast;
    translators.set(lang, t);
  }
  return t;
}

/** Picks the best of our languages from an Accept-Language header. */
export function languageFromHeader(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .filter((x) => x.tag)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return undefined;
}

// Building an Intl.DateTimeFormat costs far more than using one: keep one per language and options.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<Language, Intl.NumberFormat>();

export function formatDate(value: Date | string | number | null | undefined, lang: Language, opts: Intl.DateTimeFormatOptions = { dateStyle: 'long' }): string {
  if (value === null || value === undefined || value === '') return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const key = `${lang}|${JSON.stringify(opts)}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', ...opts });
    if (dateFormats.size < 200) dateFormats.set(key, format);
  }
  return format.format(d);
}

export function formatDateTime(value: Date | string | number | null | undefined, lang: Language): string {
  return formatDate(value, lang, { dateStyle: 'medium', timeStyle: 'short' });
}

const collators = new Map<string, Intl.Collator>();

/** A collator for sorting names in the reader's language, made once per language. */
export function collatorFor(lang: string): Intl.Collator {
  let c = collators.get(lang);
  if (!c) {
    c = new Intl.Collator(lang);
    if (collators.size < 20) collators.set(lang, c);
  }
  return c;
}

/** A name as it sorts in a list: a leading "the" is ignored ("the Netherlands" sorts under N). */
export function nameSortKey(name: string): string {
  return name.replace(/^the\s+/i, '');
}

/** Compares names by the reader's collation, ignoring a leading "the". */
export function compareNames(lang: string): (a: string, b: string) => number {
  const collator = collatorFor(lang);
  return (a, b) => collator.compare(nameSortKey(a), nameSortKey(b));
}

export function formatNumber(value: number, lang: Language): string {
  let format = numberFormats.get(lang);
  if (!format) {
    format = new Intl.NumberFormat(lang);
    numberFormats.set(lang, format);
  }
  return format.format(value);
}

/** A name kept in both languages ({ en, 'zh-CN' }) in the reader's language, falling back to English. */
export function localized(value: Partial<Record<Language, string>> | null | undefined, lang: Language): string {
  if (!value) return '';
  return value[lang] || value.en || value['zh-CN'] || '';
}

declare module 'express-serve-static-core' {
  interface Request {
    lang: Language;
    t: TFunction;
  }
}

/** The reader's language: `?lang=`, else the `lang` cookie, else the account's, else Accept-Language. */
export function languageOf(req: Request): Language {
  const fromQuery = req.query.lang;
  if (isLanguage(fromQuery)) return fromQuery;
  const cookieLang = (req.cookies as Record<string, unknown> | undefined)?.[LANG_COOKIE];
  if (isLanguage(cookieLang)) return cookieLang;
  const userLang = (req.user as { language?: unknown } | undefined)?.language;
  if (isLanguage(userLang)) return userLang;
  return languageFromHeader(req.get('accept-language')) ?? DEFAULT_LANGUAGE;
}

/**
 * Sets req.lang / req.t and the view helpers for the reader's language: `?lang=` (shows this page in
 * that language and stores nothing — a GET changes no state), else the `lang` cookie set by the
 * switcher's POST /language, else the account's language, else Accept-Language.
 */
export function languageMiddleware() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const lang = languageOf(req);
    req.lang = lang;
    req.t = translator(lang);
    res.locals.lang = lang;
    res.locals.t = req.t;
    res.locals.formatDate = (v: Date | string | null | undefined, o?: Intl.DateTimeFormatOptions) => formatDate(v, lang, o);
    res.locals.formatDateTime = (v: Date | string | null | undefined) => formatDateTime(v, lang);
    res.locals.formatNumber = (v: number) => formatNumber(v, lang);
    res.locals.localized = (v: Partial<Record<Language, string>> | null | undefined) => localized(v, lang);
    next();
  };
}

/** Where to go back to after switching: a path on this site (never `//host` or `/\\host`), else the home page. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f]/.test(value)) return '/';
  return value;
}

/** The current URL without `lang` and without secrets, for the switcher's return address. */
export function returnPathOf(req: Request): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) {
    if (k === 'lang' || k === '_csrf' || k === 'token' || typeof v !== 'string') continue;
    params.append(k, v);
  }
  const query = params.toString();
  return `${req.path}${query ? `?${query}` : ''}`;
}

/**
 * POST /language: the language switcher (a small form in the header that works without
 * JavaScript). It stores the choice in the `lang` cookie and goes back to the page it came from.
 *
 * It carries no CSRF token on purpose: a token in the header of every page would open a session
 * for every anonymous visitor, and the only effect of this POST is the display language of the
 * browser that sends it. A cross-site form posting here is refused anyway by the same-origin check
 * (Sec-Fetch-Site, else Origin), which browsers send with every POST.
 */
export function languageSwitch(opts: { secureCookies: boolean }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    // Browsers send Sec-Fetch-Site with every request; Origin is the fallback for older ones
    // ("null" under the portal's no-referrer policy, so it decides nothing).
    const crossSite = site ? site !== 'same-origin' && site !== 'none' : !!origin && origin !== 'null' && safeHost(origin) !== req.get('host');
    if (crossSite) {
      next(Object.assign(new Error('cross-site language switch'), { status: 403 }));
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const back = safeReturnPath(body.next);
    if (!isLanguage(body.lang)) {
      res.redirect(303, back);
      return;
    }
    res.cookie(LANG_COOKIE, body.lang, { maxAge: 365 * 24 * 3600 * 1000, httpOnly: true, sameSite: 'lax', secure: opts.secureCookies });
    res.redirect(303, back);
  };
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
