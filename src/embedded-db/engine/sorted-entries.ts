/**
 * The ordered half of an index: entries kept sorted in blocks of at most a few hundred, so an
 * insert or delete is a binary search plus a splice inside one small block (not a shift of the
 * whole index), while positions stay addressable by a global number for range scans.
 *
 * An entry is a key and the id of its document, held in two parallel arrays per block rather than
 * as one object per entry: a multikey index on 90 search terms over 200,000 posts holds 18 million
 * entries, and an object with its own key tuple cost ~100 bytes each, two array slots cost 16. The
 * key is whatever the index keeps (the value itself for a one-field index, a tuple otherwise) and
 * the id is the document's own id string, shared by all of its entries.
 */

/** Orders two entries: by key, then by id. */
export type EntryCompare<K> = (keyA: K, idA: string, keyB: K, idB: string) => number;

interface Block<K> {
  keys: K[];
  ids: string[];
}

const MAX_BLOCK = 512;
const HALF = MAX_BLOCK >> 1;

export class SortedEntries<K = unknown> {
  private blocks: Array<Block<K>> = [];
  /** starts[b] = global position of the first entry of block b. */
  private starts: number[] = [];
  private size = 0;
  /** Entries appended (see `append`) but not yet copied into a block of their own. */
  private tailKeys: K[] = [];
  private tailIds: string[] = [];

  constructor(private readonly compare: EntryCompare<K>) {}

  get length(): number {
    return this.size + this.tailKeys.length;
  }

  clear(): void {
    this.blocks = [];
    this.starts = [];
    this.size = 0;
    this.tailKeys = [];
    this.tailIds = [];
  }

  /**
   * Adds an entry that sorts after every entry present (a bulk build, which produces them in
   * order). Blocks are cut at half their capacity, each an array of its exact length; `endAppend`
   * must follow the last one before anything else reads or changes the entries.
   */
  append(key: K, id: string): void {
    this.tailKeys.push(key);
    this.tailIds.push(id);
    if (this.tailKeys.length === HALF) this.endAppend();
  }

  endAppend(): void {
    if (this.tailKeys.length === 0) return;
    this.starts.push(this.size);
    // slice: a block exactly as long as its entries (a pushed-to array keeps spare room).
    this.blocks.push({ keys: this.tailKeys.slice(), ids: this.tailIds.slice() });
    this.size += this.tailKeys.length;
    this.tailKeys.length = 0;
    this.tailIds.length = 0;
  }

  /** Replaces the content with entries already in order. */
  load(keys: K[], ids: string[]): void {
    this.clear();
    for (let i = 0; i < keys.length; i++) this.append(keys[i], ids[i]);
    this.endAppend();
  }

  private reindexFrom(b: number): void {
    let start = b === 0 ? 0 : this.starts[b - 1] + this.blocks[b - 1].keys.length;
    this.starts.length = this.blocks.length;
    for (let i = b; i < this.blocks.length; i++) {
      this.starts[i] = start;
      start += this.blocks[i].keys.length;
    }
  }

  /** First global position whose entry satisfies `isAfter` (a predicate monotonic over the order). */
  search(isAfter: (key: K, id: string) => boolean): number {
    const { block, offset } = this.locate(isAfter);
    return block < this.blocks.length ? this.starts[block] + offset : this.size;
  }

  private locate(isAfter: (key: K, id: string) => boolean): { block: number; offset: number } {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const blk = this.blocks[mid];
      const last = blk.keys.length - 1;
      if (isAfter(blk.keys[last], blk.ids[last])) hi = mid;
      else lo = mid + 1;
    }
    if (lo === this.blocks.length) return { block: lo, offset: 0 };
    const blk = this.blocks[lo];
    let a = 0;
    let z = blk.keys.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (isAfter(blk.keys[mid], blk.ids[mid])) z = mid;
      else a = mid + 1;
    }
    return { block: lo, offset: a };
  }

  insert(key: K, id: string): void {
    if (this.blocks.length === 0) {
      this.blocks.push({ keys: [key], ids: [id] });
      this.starts = [0];
      this.size = 1;
      return;
    }
    let { block, offset } = this.locate((k, i) => this.compare(k, i, key, id) > 0);
    if (block === this.blocks.length) {
      block = this.blocks.length - 1;
      offset = this.blocks[block].keys.length;
    }
    const blk = this.blocks[block];
    if (offset === blk.keys.length) {
      blk.keys.push(key);
      blk.ids.push(id);
    } else {
      blk.keys.splice(offset, 0, key);
      blk.ids.splice(offset, 0, id);
    }
    this.size++;
    if (blk.keys.length > MAX_BLOCK) {
      this.blocks.splice(block + 1, 0, { keys: blk.keys.splice(HALF), ids: blk.ids.splice(HALF) });
      this.reindexFrom(block);
    } else {
      for (let i = block + 1; i < this.starts.length; i++) this.starts[i]++;
    }
  }

  /**
   * Inserts a batch of entries, already in order, in one pass over the blocks: each block takes
   * the batch's entries that belong to it in one merge, oversized blocks are split, and block
   * positions are recomputed once. Inserting k entries one by one would shift the positions of
   * every later block k times.
   */
  insertSorted(keys: K[], ids: string[]): void {
    if (keys.length === 0) return;
    if (this.blocks.length === 0) {
      this.load(keys, ids);
      return;
    }
    const out: Array<Block<K>> = [];
    const last = this.blocks.length - 1;
    let copied = 0;
    let i = 0;
    while (i < keys.length) {
      // As `insert` places an entry: in the first block whose last entry sorts after it, else
      // in the last block. Blocks before it are kept as they are.
      let lo = copied;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const blk = this.blocks[mid];
        const t = blk.keys.length - 1;
        if (this.compare(blk.keys[t], blk.ids[t], keys[i], ids[i]) > 0) hi = mid;
        else lo = mid + 1;
      }
      for (; copied < lo; copied++) out.push(this.blocks[copied]);
      const blk = this.blocks[lo];
      let j = i + 1;
      if (lo === last) j = keys.length;
      else {
        const t = blk.keys.length - 1;
        const tailKey = blk.keys[t];
        const tailId = blk.ids[t];
        while (j < keys.length && this.compare(tailKey, tailId, keys[j], ids[j]) > 0) j++;
      }
      // A few entries go in by binary search and splice (a memmove); many, by a linear merge.
      let merged = blk;
      if ((j - i) * 16 < blk.keys.length) {
        let from = 0;
        for (let k = i; k < j; k++) {
          from = this.upperBound(blk, keys[k], ids[k], from);
          blk.keys.splice(from, 0, keys[k]);
          blk.ids.splice(from++, 0, ids[k]);
        }
      } else merged = this.merge(blk, keys, ids, i, j);
      copied = lo + 1;
      i = j;
      if (merged.keys.length <= MAX_BLOCK) out.push(merged);
      else {
        for (let k = 0; k < merged.keys.length; k += HALF) {
          out.push({ keys: merged.keys.slice(k, k + HALF), ids: merged.ids.slice(k, k + HALF) });
        }
      }
    }
    for (; copied <= last; copied++) out.push(this.blocks[copied]);
    this.blocks = out;
    this.size += keys.length;
    this.reindexFrom(0);
  }

  /** First position at or after `from` in `blk` whose entry sorts after (key, id). */
  private upperBound(blk: Block<K>, key: K, id: string, from: number): number {
    let a = from;
    let z = blk.keys.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (this.compare(blk.keys[mid], blk.ids[mid], key, id) > 0) z = mid;
      else a = mid + 1;
    }
    return a;
  }

  private merge(blk: Block<K>, keys: K[], ids: string[], from: number, to: number): Block<K> {
    const n = blk.keys.length + to - from;
    const outKeys = new Array<K>(n);
    const outIds = new Array<string>(n);
    let a = 0;
    let b = from;
    let o = 0;
    while (a < blk.keys.length && b < to) {
      if (this.compare(blk.keys[a], blk.ids[a], keys[b], ids[b]) <= 0) {
        outKeys[o] = blk.keys[a];
        outIds[o++] = blk.ids[a++];
      } else {
        outKeys[o] = keys[b];
        outIds[o++] = ids[b++];
      }
    }
    for (; a < blk.keys.length; a++, o++) {
      outKeys[o] = blk.keys[a];
      outIds[o] = blk.ids[a];
    }
    for (; b < to; b++, o++) {
      outKeys[o] = keys[b];
      outIds[o] = ids[b];
    }
    return { keys: outKeys, ids: outIds };
  }

  /** Removes the entry equal to (key, id); returns whether it was there. */
  remove(key: K, id: string): boolean {
    const { block, offset } = this.locate((k, i) => this.compare(k, i, key, id) >= 0);
    const blk = this.blocks[block];
    if (!blk || offset >= blk.keys.length || this.compare(blk.keys[offset], blk.ids[offset], key, id) !== 0) return false;
    blk.keys.splice(offset, 1);
    blk.ids.splice(offset, 1);
    this.size--;
    if (blk.keys.length === 0) {
      this.blocks.splice(block, 1);
      this.reindexFrom(block);
    } else {
      for (let i = block + 1; i < this.starts.length; i++) this.starts[i]--;
    }
    return true;
  }

  /** Block number and offset of global position `pos` (0 <= pos < length). */
  private blockOf(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The document ids of the entries at global positions [start, end), forwards or backwards. */
  *ids(start: number, end: number, reverse = false): Generator<string> {
    for (const [b, o] of this.positions(start, end, reverse)) yield this.blocks[b].ids[o];
  }

  /** The entries at global positions [start, end) as [key, id] pairs (inspection and tests). */
  *entries(start = 0, end = this.length, reverse = false): Generator<[K, string]> {
    for (const [b, o] of this.positions(start, end, reverse)) yield [this.blocks[b].keys[o], this.blocks[b].ids[o]];
  }

  /** [block, offset] of each position in [start, end); the pair is reused between steps. */
  private *positions(start: number, end: number, reverse: boolean): Generator<[number, number]> {
    end = Math.min(end, this.size);
    if (start >= end) return;
    const at: [number, number] = [0, 0];
    if (!reverse) {
      let b = this.blockOf(start);
      let o = start - this.starts[b];
      for (let n = end - start; n > 0; n--) {
        while (b < this.blocks.length && o >= this.blocks[b].keys.length) {
          b++;
          o = 0;
        }
        if (b >= this.blocks.length) return;
        at[0] = b;
        at[1] = o++;
        yield at;
      }
    } else {
      let b = this.blockOf(end - 1);
      let o = end - 1 - this.starts[b];
      for (let n = end - start; n > 0; n--) {
        while (b >= 0 && o < 0) {
          b--;
          if (b >= 0) o = this.blocks[b].keys.length - 1;
        }
        if (b < 0) return;
        at[0] = b;
        at[1] = o--;
        yield at;
      }
    }
  }
}
