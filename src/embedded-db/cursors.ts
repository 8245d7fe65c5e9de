/**
 * Open cursors: results left over after a first batch, served by getMore and closed by
 * killCursors, by exhaustion or after 10 idle minutes (MongoDB's cursorTimeoutMillis). Ids are
 * Int64 on the wire, as drivers require.
 */
import { BSON, type Document } from 'bson';
import { ErrorCodes, MongoError } from './errors';

export const DEFAULT_FIRST_BATCH = 101;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
export const CURSOR_IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  id: bigint;
  ns: string;
  docs: Document[];
  pos: number;
  lastUsed: number;
}

export interface Batch {
  docs: Document[];
  /** 0n once nothing is left. */
  cursorId: bigint;
}

export class CursorRegistry {
  private readonly cursors = new Map<bigint, OpenCursor>();
  private nextId = BigInt(Math.floor(Math.random() * 2 ** 40)) + 1n;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly idleTimeoutMs = CURSOR_IDLE_TIMEOUT_MS) {}

  /** Sweeps idle cursors once a minute; cheap because it only walks open cursors. */
  start(): void {
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.min(60_000, this.idleTimeoutMs));
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.cursors.clear();
  }

  sweep(now: number): void {
    for (const [id, c] of this.cursors) if (now - c.lastUsed > this.idleTimeoutMs) this.cursors.delete(id);
  }

  get openCount(): number {
    return this.cursors.size;
  }

  /** Takes the first batch from `docs`; opens a cursor for the rest unless singleBatch. */
  first(ns: string, docs: Document[], batchSize: number | undefined, singleBatch = false): Batch {
    const take = takeBatch(docs, 0, batchSize ?? DEFAULT_FIRST_BATCH);
    if (take.end >= docs.length || singleBatch) return { docs: take.docs, cursorId: 0n };
    const id = this.nextId++;
    this.cursors.set(id, { id, ns, docs, pos: take.end, lastUsed: Date.now() });
    return { docs: take.docs, cursorId: id };
  }

  more(id: bigint, ns: string, batchSize: number | undefined): Batch {
    const c = this.cursors.get(id);
    if (!c) throw new MongoError(ErrorCodes.CursorNotFound, `cursor id ${id} not found`);
    if (c.ns !== ns) {
      throw new MongoError(ErrorCodes.Unauthorized, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`);
    }
    const take = takeBatch(c.docs, c.pos, batchSize && batchSize > 0 ? batchSize : Infinity);
    c.pos = take.end;
    c.lastUsed = Date.now();
    if (c.pos >= c.docs.length) {
      this.cursors.delete(id);
      return { docs: take.docs, cursorId: 0n };
    }
    return { docs: take.docs, cursorId: id };
  }

  kill(id: bigint): boolean {
    return this.cursors.delete(id);
  }
}

function takeBatch(docs: Document[], start: number, count: number): { docs: Document[]; end: number } {
  let bytes = 0;
  let end = start;
  while (end < docs.length && end - start < count) {
    bytes += BSON.calculateObjectSize(docs[end]);
    // Always return at least one document, as MongoDB does, even if it alone is large.
    if (bytes > MAX_BATCH_BYTES && end > start) break;
    end++;
  }
  return { docs: docs.slice(start, end), end };
}

export function cursorReply(ns: string, batch: Batch, key: 'firstBatch' | 'nextBatch'): Document {
  return { cursor: { [key]: batch.docs, id: BSON.Long.fromBigInt(batch.cursorId), ns }, ok: 1 };
}
