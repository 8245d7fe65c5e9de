/**
 * One copy of each short string held in an array (search terms, tags, member codes): documents
 * decoded from BSON each bring their own copies, so 10,000 posts sharing a term held 10,000
 * strings of it; interned, they share one (and so do their index keys, which reference the
 * document's values). Strings outside arrays are mostly unique (names, texts) and stay as they are.
 * The table is bounded: past its size new strings are simply kept as they come.
 */
import type { Document } from 'bson';
import { isPlainObject } from './values';

const MAX_LENGTH = 64;
const MAX_STRINGS = 1_000_000;
const table = new Map<string, string>();

function intern(s: string): string {
  const known = table.get(s);
  if (known !== undefined) return known;
  if (table.size < MAX_STRINGS) table.set(s, s);
  return s;
}

/**
 * Replaces, in place, the short strings inside the arrays of a document the engine owns. Each
 * array of a few elements or more is also replaced by an exact-length copy: an array decoded
 * from BSON grows by pushes and keeps spare room (131 slots for 90 search terms), and the engine
 * keeps it for as long as the document lives.
 */
export function internArrayStrings(v: unknown): void {
  if (Array.isArray(v)) {
    internArray(v);
    return;
  }
  if (isPlainObject(v)) {
    const d = v as Document;
    for (const k in d) {
      const e: unknown = d[k];
      if (Array.isArray(e)) {
        // An own property named __proto__ (BSON allows one) shadows the prototype accessor, so
        // this assignment replaces the property and leaves the prototype alone.
        d[k] = internArray(e);
      } else if (typeof e === 'object' && e !== null) internArrayStrings(e);
    }
  }
}

const TRIM_FROM = 4;

function internArray(v: unknown[]): unknown[] {
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e === 'string') {
      if (e.length <= MAX_LENGTH) v[i] = intern(e);
    } else if (Array.isArray(e)) v[i] = internArray(e);
    else if (typeof e === 'object' && e !== null) internArrayStrings(e);
  }
  return v.length >= TRIM_FROM ? v.slice() : v;
}
