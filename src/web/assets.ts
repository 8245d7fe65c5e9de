/**
 * Static files and the templates that serve pages, made cheap to serve again:
 *
 * - `asset('/public/css/site.css')` (a view helper) gives the file's URL with a hash of its content
 *   (`?v=<hash>`); a request carrying the current hash is answered with a year-long immutable cache
 *   header, so browsers never ask again until the file (and so its URL) changes. Without the hash,
 *   or with an old one, the ordinary cache time applies.
 * - In production the EJS include lookups are remembered (see rememberViewLookups).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Response } from 'express';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Every file below dir, as URL paths relative to it ("css/site.css"). */
function filesBelow(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesBelow(path.join(dir, entry.name), rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

export interface StaticAssets {
  /** The URL of a file under the mount path with its content hash, e.g. /public/css/site.css?v=1a2b3c4d5e. */
  asset(urlPath: string): string;
  handler: RequestHandler;
}

/**
 * Serves dir under mountPath. The content hashes are computed once, when the app is built (the
 * files do not change while it runs; a deployment restarts the process).
 */
export function staticAssets(dir: string, mountPath: string, opts: { maxAgeSeconds: number }): StaticAssets {
  const hashes = new Map<string, string>();
  for (const rel of filesBelow(dir)) {
    hashes.set(`${mountPath}/${rel}`, createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest('hex').slice(0, 12));
  }
  const serve = express.static(dir, {
    index: false,
    maxAge: opts.maxAgeSeconds * 1000,
    setHeaders(res: Response, filePath: string) {
      const req = res.req;
      const rel = path.relative(dir, filePath).split(path.sep).join('/');
      const version = typeof req.query.v === 'string' ? req.query.v : undefined;
      if (version && version === hashes.get(`${mountPath}/${rel}`)) res.setHeader('Cache-Control', IMMUTABLE);
    },
  });
  return {
    asset(urlPath: string): string {
      const hash = hashes.get(urlPath);
      return hash ? `${urlPath}?v=${hash}` : urlPath;
    },
    handler: serve,
  };
}

let remembering = false;

/**
 * EJS looks for every `include` on disk (fs.existsSync) each time a page is rendered, even with its
 * template cache on. In production, where the view cache is on and the templates do not change,
 * the answer for a template path below the views directory is remembered after the first lookup,
 * so rendering touches the file system only the first time. Other paths are not affected.
 */
export function rememberViewLookups(viewsDir: string): void {
  if (remembering) return;
  remembering = true;
  const root = path.resolve(viewsDir) + path.sep;
  const original = fs.existsSync;
  const known = new Map<string, boolean>();
  fs.existsSync = ((p: fs.PathLike) => {
    if (typeof p === 'string' && p.startsWith(root) && p.endsWith('.ejs')) {
      let found = known.get(p);
      if (found === undefined) {
        found = original(p);
        known.set(p, found);
      }
      return found;
    }
    return original(p);
  }) as typeof fs.existsSync;
}
