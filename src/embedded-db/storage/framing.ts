/**
 * Record framing shared by the journal and the snapshot files: [u32 length][u32 crc32][payload],
 * little-endian, the CRC covering the length bytes and the payload. A reader stops at the first
 * frame that is short, oversized or fails its checksum: that is where a torn write begins.
 */
import zlib from 'node:zlib';
import { BSON, type Binary, type Document, type DeserializeOptions, type Double, type Int32 } from 'bson';
import { internArrayStrings } from '../engine/intern';

export const FRAME_HEADER = 8;
/** Far above any legal record (a BSON document is at most 16 MiB; a batch holds several). */
export const MAX_FRAME = 1024 * 1024 * 1024;

/** Read wrapped, then unwrapped by fromDisk: see there. */
export const BSON_READ: DeserializeOptions = { promoteValues: false };

function bsonTypeOf(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? (v as { _bsontype?: string })._bsontype : undefined;
}

/**
 * Numbers come back in the form the engine keeps them in memory (engine/bson-numbers.ts): int32
 * and fractional doubles as JS numbers, but an Int64 as a Long and an integral double (2.0, -0)
 * as a Double object, so that neither turns into an int32 after a restart. Done in place on a
 * freshly deserialised value.
 */
export function fromDisk(v: unknown): unknown {
  switch (bsonTypeOf(v)) {
    case undefined:
      break;
    case 'Int32':
      return (v as Int32).value;
    case 'Double': {
      const d = (v as Double).value;
      return Number.isInteger(d) || Object.is(d, -0) ? v : d;
    }
    case 'Binary': {
      // Deserialised binary data is a view of the buffer it was read from (a whole snapshot
      // chunk or journal file): an own copy lets that buffer go.
      const b = v as Binary;
      b.buffer = Buffer.from(b.buffer);
      return b;
    }
    default:
      return v; // Long, ObjectId, Decimal128, Timestamp...: kept as they are
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fromDisk(v[i]);
  } else if (v instanceof Date || v instanceof RegExp) {
    return v;
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Document;
    for (const k of Object.keys(o)) o[k] = fromDisk(o[k]);
  }
  return v;
}

/**
 * Deserialises one stored BSON document into the engine's in-memory form, strings in arrays
 * interned and arrays at their exact length (engine/intern.ts). Done here, right after decoding,
 * the arrays they replace die young: done at load time, after the whole snapshot is decoded, they
 * had reached the old generation and grew the heap by as much again.
 */
export function readDocument(buf: Uint8Array): Document {
  const doc = fromDisk(BSON.deserialize(buf, BSON_READ)) as Document;
  internArrayStrings(doc);
  return doc;
}

const crcTable: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** zlib.crc32 exists from Node 20.15; the table version keeps older 20.x working. */
export function crc32(buf: Uint8Array, seed = 0): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf, seed) >>> 0;
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Frames one payload. */
export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  payload.copy(out, FRAME_HEADER);
  const crc = crc32(out.subarray(FRAME_HEADER), crc32(out.subarray(0, 4)));
  out.writeUInt32LE(crc, 4);
  return out;
}

export interface FrameScan {
  payloads: Buffer[];
  /** Offset just past the last good frame: everything from here on is torn or corrupt. */
  goodEnd: number;
  /** Why scanning stopped before the end of the buffer, if it did. */
  problem: string | null;
}

/** Reads frames from `start` until the end of the buffer or the first bad frame. */
export function scanFrames(buf: Buffer, start: number, onPayload?: (p: Buffer) => void): FrameScan {
  const payloads: Buffer[] = [];
  let pos = start;
  let problem: string | null = null;
  while (pos < buf.length) {
    if (buf.length - pos < FRAME_HEADER) {
      problem = `a partial frame header (${buf.length - pos} bytes)`;
      break;
    }
    const len = buf.readUInt32LE(pos);
    if (len < 5 || len > MAX_FRAME) {
      problem = `an impossible frame length ${len}`;
      break;
    }
    if (pos + FRAME_HEADER + len > buf.length) {
      problem = `a frame cut short (${buf.length - pos - FRAME_HEADER} of ${len} bytes)`;
      break;
    }
    const payload = buf.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len);
    const want = buf.readUInt32LE(pos + 4);
    if (crc32(payload, crc32(buf.subarray(pos, pos + 4))) !== want) {
      problem = 'a checksum mismatch';
      break;
    }
    if (onPayload) onPayload(payload);
    else payloads.push(payload);
    pos += FRAME_HEADER + len;
  }
  return { payloads, goodEnd: pos, problem };
}

/** Reads frames of a file from `start` in chunks of about this size. */
const READ_CHUNK = 8 << 20;

/**
 * scanFrames over a file read in chunks rather than whole: a 300 MB snapshot no longer sits in
 * memory beside the documents decoded from it. Each chunk is a fresh buffer (a decoded value may
 * keep a view of it), a frame larger than a chunk is read at its own size, and the outcome
 * (good end, problem) is the one scanFrames gives on the whole file.
 */
export async function scanFileFrames(
  fh: { read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>; stat(): Promise<{ size: number }> },
  start: number,
  onPayload: (p: Buffer) => void,
  chunkSize = READ_CHUNK,
): Promise<FrameScan> {
  const { size } = await fh.stat();
  let pos = start;
  let want = chunkSize;
  while (pos < size) {
    const length = Math.min(want, size - pos);
    const chunk = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(chunk, got, length - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const buf = got === length ? chunk : chunk.subarray(0, got);
    const last = pos + got >= size || got < length;
    const scan = scanFrames(buf, 0, onPayload);
    if (!scan.problem) {
      pos += scan.goodEnd;
      want = chunkSize;
      if (last) break;
      continue;
    }
    // A frame cut by the end of the chunk (not of the file) is read again in the next chunk,
    // which is made large enough for it; any other problem is the file's own.
    const rest = buf.length - scan.goodEnd;
    const cutByChunk = !last && (rest < FRAME_HEADER || scan.problem.startsWith('a frame cut short'));
    if (!cutByChunk) return { payloads: [], goodEnd: pos + scan.goodEnd, problem: scan.problem };
    pos += scan.goodEnd;
    want = Math.max(chunkSize, rest >= FRAME_HEADER ? FRAME_HEADER + buf.readUInt32LE(scan.goodEnd) : FRAME_HEADER);
  }
  return { payloads: [], goodEnd: pos, problem: null };
}

/** A journal batch payload: [u32 count] then count BSON documents (each under 16 MiB on its own). */
export function encodeBatch(records: readonly Document[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt32LE(records.length, 0);
  for (const r of records) parts.push(Buffer.from(BSON.serialize(r)));
  return Buffer.concat(parts);
}

export function decodeBatch(payload: Buffer): Document[] {
  const count = payload.readUInt32LE(0);
  const out: Document[] = [];
  let pos = 4;
  for (let i = 0; i < count; i++) {
    const size = payload.readInt32LE(pos);
    out.push(readDocument(payload.subarray(pos, pos + size)));
    pos += size;
  }
  if (pos !== payload.length) throw new Error('batch payload has trailing bytes');
  return out;
}
