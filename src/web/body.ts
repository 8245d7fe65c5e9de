/**
 * The portal's one body-parsing configuration, for both kinds of form the pages send:
 *
 * - `application/x-www-form-urlencoded`: Express's simple parser (no `qs`): a field name is taken
 *   literally (`a[$gt]=1` stays the key `"a[$gt]"`, never an object), a repeated name becomes an
 *   array of strings;
 * - `multipart/form-data` (forms with a file field, parsed by the upload wrapper in uploads.ts with
 *   `MULTIPART_LIMITS`): a field name with brackets is refused (`fieldNestingDepth: 0`), so
 *   `themes[10000000]=x` can never become an array of ten million slots and `boothCount[$gt]=0` never
 *   an object — both kinds of body therefore have the same shape: flat keys, values `string` or
 *   `string[]`.
 *
 * A url-encoded field name with brackets is refused as well (400), so the two kinds agree on what
 * a readable form is. A multipart body sent to a route without a file field is refused (415): such
 * a route would otherwise run with an empty body.
 *
 * Both are bounded in total size, number of fields and size of a field, and every value goes
 * through `normaliseFormBody` once, right after parsing (see `normaliseFormText` for what that does).
 * No JSON body is parsed: the portal has no JSON API, and a JSON body could carry objects.
 */
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { BadRequestError } from '../kernel';

export const BODY_LIMITS = {
  /** Whole url-encoded body. */
  urlencodedBytes: 200 * 1024,
  /** Fields in one body (the largest form, the allocation page, has one checkbox per booth). */
  fields: 300,
  /** One multipart text field (a practice's body is the longest text). */
  fieldBytes: 200 * 1024,
  /** A field name. */
  fieldNameBytes: 100,
  /** Bracket groups in a multipart field name: none (no form of the portal uses them). */
  nestingDepth: 0,
  /** Numeric index in a multipart field name (unreachable with nestingDepth 0; kept as a second bound). */
  arrayIndex: 0,
} as const;

/** Multer's limits for the text part of a multipart body (files are bounded by uploads.ts). */
export const MULTIPART_LIMITS = {
  fields: BODY_LIMITS.fields,
  fieldSize: BODY_LIMITS.fieldBytes,
  fieldNameSize: BODY_LIMITS.fieldNameBytes,
  fieldNestingDepth: BODY_LIMITS.nestingDepth,
  fieldArrayIndexLimit: BODY_LIMITS.arrayIndex,
  headerPairs: 200,
} as const;

/**
 * Multi-line fields: the names of the portal's `<textarea>`s (a test keeps this list in step with
 * the views). Every other field is single-line. The two differ only in what normalisation keeps:
 * a multi-line field keeps newlines, tabs and bidi controls (right-to-left text in a long text is
 * legitimate); a single-line field (names, titles, e-mail addresses, choices) turns newlines and
 * tabs into spaces and loses the bidi override, embedding and isolate characters, which in a name
 * shown in a list can make it read as something else.
 */
export const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set([
  'body',
  'csv',
  'description',
  'descriptionEn',
  'descriptionZh',
  'message',
  'needs',
  'note',
  'offers',
  'notesEn',
  'notesZh',
  'products',
  'quotaOverrides',
  'reason',
  'results',
  'schedule',
  'seeks',
  'specialNeeds',
  'summary',
  'toImprove',
  'wentWell',
  'topics',
]);

/** Secrets are compared or hashed as typed, never rewritten (and never stored as text). */
const VERBATIM_FIELDS: ReadonlySet<string> = new Set(['_csrf', 'password', 'currentPassword', 'newPassword', 'emailPassword']);

// C0 and C1 control characters except tab (\x09) and newline (\x0A); \r is handled before.
const CONTROL = /[\x00-\x08\x0B-\x1F\x7F-\x9F]/g;
// U+202A–U+202E (embeddings, overrides, pop) and U+2066–U+2069 (isolates).
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * One text normalisation for a form value: Unicode NFC; line ends made `\n`; control characters
 * other than newline and tab removed (NUL included); in single-line fields, newline and tab become
 * a space and bidi override/embedding/isolate characters are removed.
 */
export function normaliseFormText(value: string, multiLine: boolean): string {
  let text = value.normalize('NFC').replace(/\r\n?/g, '\n').replace(CONTROL, '');
  if (!multiLine) text = text.replace(/[\n\t]/g, ' ').replace(BIDI_CONTROL, '');
  return text;
}

/** Normalises every value of a parsed body in place (strings and arrays of strings) and returns it. */
export function normaliseFormBody<T>(body: T): T {
  if (!body || typeof body !== 'object') return body;
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (VERBATIM_FIELDS.has(key)) continue;
    const multiLine = MULTI_LINE_FIELDS.has(key);
    const value = fields[key];
    if (typeof value === 'string') fields[key] = normaliseFormText(value, multiLine);
    else if (Array.isArray(value)) fields[key] = value.map((item: unknown) => (typeof item === 'string' ? normaliseFormText(item, multiLine) : item));
  }
  return body;
}

const urlencoded = express.urlencoded({ extended: false, limit: BODY_LIMITS.urlencodedBytes, parameterLimit: BODY_LIMITS.fields });

/** A field name no form of the portal uses: brackets (nesting, indexes, operators). */
export function isBracketFieldName(name: string): boolean {
  return name.includes('[') || name.includes(']');
}

/** The url-encoded body parser for the whole app, followed by the normalisation. */
export function formBodyParser(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    urlencoded(req, res, (err?: unknown) => {
      if (err) return next(err);
      const body = req.body as Record<string, unknown> | undefined;
      if (body && Object.keys(body).some(isBracketFieldName)) return next(new BadRequestError('uploads:errors.unknownField'));
      normaliseFormBody(body);
      next();
    });
  };
}

const ACCEPTS_MULTIPART = Symbol('acceptsMultipart');

/** Marks a route handler as the multipart parser of its route (the upload wrapper does this). */
export function markMultipartParser<H extends RequestHandler>(handler: H): H {
  (handler as H & { [ACCEPTS_MULTIPART]?: true })[ACCEPTS_MULTIPART] = true;
  return handler;
}

interface StackLayer {
  handle?: unknown;
  route?: { methods: Record<string, boolean>; stack: { handle: unknown }[] };
  match(path: string): unknown;
}

function postRouteLayers(stack: StackLayer[]): StackLayer[] {
  const found: StackLayer[] = [];
  for (const layer of stack) {
    if (layer.route) {
      if (layer.route.methods.post) found.push(layer);
    } else {
      const inner = (layer.handle as { stack?: StackLayer[] } | undefined)?.stack;
      if (Array.isArray(inner)) found.push(...postRouteLayers(inner));
    }
  }
  return found;
}

/**
 * Refuses a multipart body (415) unless the POST route that will answer it parses multipart. The
 * routes are read from the app's router on first use (routers are mounted after this middleware).
 */
export function refuseUnexpectedMultipart(app: Express): RequestHandler {
  let routes: { layer: StackLayer; multipart: boolean }[] | null = null;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return next();
    routes ??= postRouteLayers((app as unknown as { router: { stack: StackLayer[] } }).router.stack).map((layer) => ({
      layer,
      multipart: layer.route!.stack.some((h) => typeof h.handle === 'function' && ACCEPTS_MULTIPART in h.handle),
    }));
    const route = routes.find((r) => r.layer.match(req.path));
    if (route && !route.multipart) return next(new BadRequestError('errors:badRequest.message', 415));
    next();
  };
}
