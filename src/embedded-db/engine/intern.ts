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

/** Replaces, in place, the short strings inside the arrays of a document the engine owns. */
export function internArrayStrings(v: unknown): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if (typeof e === 'string') {
        if (e.length <= MAX_LENGTH) v[i] = intern(e);
      } else if (typeof e === 'object' && e !== null) internArrayStrings(e);
    }
    return;
  }
  if (isPlainObject(v)) {
    const d = v as Document;
    for (const k in d) {
      const e: unknown = d[k];
      if (typeof e === 'object' && e !== null) internArrayStrings(e);
    }
  }
}
