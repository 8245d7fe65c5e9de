/**
 * The ordered half of an index: entries kept sorted in blocks of at most a few hundred, so an
 * insert or delete is a binary search plus a splice inside one small block (not a shift of the
 * whole index), while positions stay addressable by a global number for range scans.
 */
export interface IndexEntry {
  key: unknown[];
  id: string;
}

const MAX_BLOCK = 512;

export class SortedEntries {
  private blocks: IndexEntry[][] = [];
  /** starts[b] = global position of the first entry of block b. */
  private starts: number[] = [];
  private size = 0;

  constructor(private readonly compare: (a: IndexEntry, b: IndexEntry) => number) {}

  get length(): number {
    return this.size;
  }

  clear(): void {
    this.blocks = [];
    this.starts = [];
    this.size = 0;
  }

  /** Replaces the content with entries already in order (a bulk index build). */
  load(sorted: IndexEntry[]): void {
    this.clear();
    const half = MAX_BLOCK >> 1;
    for (let i = 0; i < sorted.length; i += half) this.blocks.push(sorted.slice(i, i + half));
    this.size = sorted.length;
    this.reindexFrom(0);
  }

  private reindexFrom(b: number): void {
    let start = b === 0 ? 0 : this.starts[b - 1] + this.blocks[b - 1].length;
    this.starts.length = this.blocks.length;
    for (let i = b; i < this.blocks.length; i++) {
      this.starts[i] = start;
      start += this.blocks[i].length;
    }
  }

  /** First global position where `isAfter(entry)` holds (monotonic predicate). */
  search(isAfter: (e: IndexEntry) => boolean): number {
    const { block, offset } = this.locate(isAfter);
    return block < this.blocks.length ? this.starts[block] + offset : this.size;
  }

  private locate(isAfter: (e: IndexEntry) => boolean): { block: number; offset: number } {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const blk = this.blocks[mid];
      if (isAfter(blk[blk.length - 1])) hi = mid;
      else lo = mid + 1;
    }
    if (lo === this.blocks.length) return { block: lo, offset: 0 };
    const blk = this.blocks[lo];
    let a = 0;
    let z = blk.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (isAfter(blk[mid])) z = mid;
      else a = mid + 1;
    }
    return { block: lo, offset: a };
  }

  insert(entry: IndexEntry): void {
    if (this.blocks.length === 0) {
      this.blocks.push([entry]);
      this.starts = [0];
      this.size = 1;
      return;
    }
    let { block, offset } = this.locate((e) => this.compare(e, entry) > 0);
    if (block === this.blocks.length) {
      block = this.blocks.length - 1;
      offset = this.blocks[block].length;
    }
    const blk = this.blocks[block];
    if (offset === blk.length) blk.push(entry);
    else blk.splice(offset, 0, entry);
    this.size++;
    if (blk.length > MAX_BLOCK) {
      this.blocks.splice(block + 1, 0, blk.splice(MAX_BLOCK >> 1));
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
  insertSorted(batch: IndexEntry[]): void {
    if (batch.length === 0) return;
    if (this.blocks.length === 0) {
      this.load(batch);
      return;
    }
    const half = MAX_BLOCK >> 1;
    const out: IndexEntry[][] = [];
    const last = this.blocks.length - 1;
    let copied = 0;
    let i = 0;
    while (i < batch.length) {
      // As `insert` places an entry: in the first block whose last entry sorts after it, else
      // in the last block. Blocks before it are kept as they are.
      const first = batch[i];
      let lo = copied;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const blk = this.blocks[mid];
        if (this.compare(blk[blk.length - 1], first) > 0) hi = mid;
        else lo = mid + 1;
      }
      for (; copied < lo; copied++) out.push(this.blocks[copied]);
      const blk = this.blocks[lo];
      let j = i + 1;
      if (lo === last) j = batch.length;
      else {
        const tail = blk[blk.length - 1];
        while (j < batch.length && this.compare(tail, batch[j]) > 0) j++;
      }
      // A few entries go in by binary search and splice (a memmove); many, by a linear merge.
      let merged = blk;
      if ((j - i) * 16 < blk.length) {
        let from = 0;
        for (let k = i; k < j; k++) {
          from = this.upperBound(blk, batch[k], from);
          blk.splice(from++, 0, batch[k]);
        }
      } else merged = this.merge(blk, batch, i, j);
      copied = lo + 1;
      i = j;
      if (merged.length <= MAX_BLOCK) out.push(merged);
      else for (let k = 0; k < merged.length; k += half) out.push(merged.slice(k, k + half));
    }
    for (; copied <= last; copied++) out.push(this.blocks[copied]);
    this.blocks = out;
    this.size += batch.length;
    this.reindexFrom(0);
  }

  /** First position at or after `from` in `blk` whose entry sorts after `entry`. */
  private upperBound(blk: IndexEntry[], entry: IndexEntry, from: number): number {
    let a = from;
    let z = blk.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (this.compare(blk[mid], entry) > 0) z = mid;
      else a = mid + 1;
    }
    return a;
  }

  private merge(blk: IndexEntry[], batch: IndexEntry[], from: number, to: number): IndexEntry[] {
    const out: IndexEntry[] = new Array<IndexEntry>(blk.length + to - from);
    let a = 0;
    let b = from;
    let o = 0;
    while (a < blk.length && b < to) out[o++] = this.compare(blk[a], batch[b]) <= 0 ? blk[a++] : batch[b++];
    while (a < blk.length) out[o++] = blk[a++];
    while (b < to) out[o++] = batch[b++];
    return out;
  }

  /** Removes the entry equal to `entry` (same key and id); returns whether it was there. */
  remove(entry: IndexEntry): boolean {
    const { block, offset } = this.locate((e) => this.compare(e, entry) >= 0);
    const blk = this.blocks[block];
    if (!blk || offset >= blk.length || this.compare(blk[offset], entry) !== 0) return false;
    blk.splice(offset, 1);
    this.size--;
    if (blk.length === 0) {
      this.blocks.splice(block, 1);
      this.reindexFrom(block);
    } else {
      for (let i = block + 1; i < this.starts.length; i++) this.starts[i]--;
    }
    return true;
  }

  /** Entries at global positions [start, end), forwards or backwards. */
  *range(start: number, end: number, reverse = false): Generator<IndexEntry> {
    if (start >= end) return;
    const locateBlock = (pos: number): number => {
      let lo = 0;
      let hi = this.starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (this.starts[mid] <= pos) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    if (!reverse) {
      let b = locateBlock(start);
      let o = start - this.starts[b];
      for (let n = end - start; n > 0; n--) {
        while (b < this.blocks.length && o >= this.blocks[b].length) {
          b++;
          o = 0;
        }
        if (b >= this.blocks.length) return;
        yield this.blocks[b][o++];
      }
    } else {
      let b = locateBlock(end - 1);
      let o = end - 1 - this.starts[b];
      for (let n = end - start; n > 0; n--) {
        while (b >= 0 && o < 0) {
          b--;
          if (b >= 0) o = this.blocks[b].length - 1;
        }
        if (b < 0) return;
        yield this.blocks[b][o--];
      }
    }
  }
}
