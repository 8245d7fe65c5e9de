/**
 * MongoDB wire protocol framing: splits the byte stream into messages, parses OP_QUERY (used only
 * by the driver's first handshake) and OP_MSG (everything else, with kind-1 document sequences
 * merged into the command), and builds OP_REPLY / OP_MSG responses.
 */
import { BSON, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

/** MongoDB's limit for one message; a larger declared length is treated as garbage. */
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

const HEADER_SIZE = 16;
const FLAG_CHECKSUM_PRESENT = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export type ParsedMessage =
  | { kind: 'query'; header: MessageHeader; collection: string; command: Document }
  | { kind: 'msg'; header: MessageHeader; moreToCome: boolean; command: Document }
  | { kind: 'compressed'; header: MessageHeader; originalOpCode: number }
  | { kind: 'unsupported'; header: MessageHeader };

/** A framing or decoding failure: the connection that sent it is closed, nothing else. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Accumulates socket chunks and yields complete messages. */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
        throw new ProtocolError(`invalid message length ${length}`);
      }
      if (this.buffered < length) break;
      out.push(this.take(length));
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const msg = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return msg;
  }
}

function readCString(buf: Buffer, offset: number): { value: string; next: number } {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return { value: buf.toString('utf8', offset, end), next: end + 1 };
}

function readDocument(buf: Buffer, offset: number, limit: number): { doc: Document; next: number } {
  if (offset + 5 > limit) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > limit) throw new ProtocolError('invalid BSON document length');
  try {
    // Numbers stay wrapped so stored documents keep Int64 and double types; the dispatcher
    // unwraps everything else (see engine/bson-numbers.ts).
    const doc = BSON.deserialize(buf.subarray(offset, offset + size), { promoteValues: false });
    return { doc, next: offset + size };
  } catch (err) {
    throw new ProtocolError(`invalid BSON: ${(err as Error).message}`);
  }
}

export function parseMessage(buf: Buffer): ParsedMessage {
  const header: MessageHeader = {
    length: buf.readInt32LE(0),
    requestId: buf.readInt32LE(4),
    responseTo: buf.readInt32LE(8),
    opCode: buf.readInt32LE(12),
  };
  switch (header.opCode) {
    case OP_MSG:
      return parseOpMsg(buf, header);
    case OP_QUERY:
      return parseOpQuery(buf, header);
    case OP_COMPRESSED:
      if (buf.length < HEADER_SIZE + 4) throw new ProtocolError('truncated OP_COMPRESSED');
      return { kind: 'compressed', header, originalOpCode: buf.readInt32LE(HEADER_SIZE) };
    default:
      return { kind: 'unsupported', header };
  }
}

function parseOpMsg(buf: Buffer, header: MessageHeader): ParsedMessage {
  if (buf.length < HEADER_SIZE + 5) throw new ProtocolError('truncated OP_MSG');
  const flags = buf.readUInt32LE(HEADER_SIZE);
  // Required flag bits (0-15) other than the two we know must make the message unreadable.
  if ((flags & 0xffff & ~(FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME)) !== 0) {
    throw new ProtocolError(`unsupported OP_MSG flags ${flags}`);
  }
  const end = flags & FLAG_CHECKSUM_PRESENT ? buf.length - 4 : buf.length;
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: Array<{ id: string; docs: Document[] }> = [];
  while (offset < end) {
    const kind = buf.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG with two body sections');
      const r = readDocument(buf, offset, end);
      body = r.doc;
      offset = r.next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = buf.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end) throw new ProtocolError('invalid document sequence length');
      const id = readCString(buf, offset + 4);
      let p = id.next;
      const docs: Document[] = [];
      while (p < seqEnd) {
        const r = readDocument(buf, p, seqEnd);
        docs.push(r.doc);
        p = r.next;
      }
      sequences.push({ id: id.value, docs });
      offset = seqEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const seq of sequences) body[seq.id] = seq.docs;
  return { kind: 'msg', header, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0, command: body };
}

function parseOpQuery(buf: Buffer, header: MessageHeader): ParsedMessage {
  let offset = HEADER_SIZE + 4; // flags
  const coll = readCString(buf, offset);
  offset = coll.next + 8; // numberToSkip, numberToReturn
  const query = readDocument(buf, offset, buf.length);
  let command = query.doc;
  // Legacy drivers wrap the command as {$query: {...}, $readPreference: ...}.
  if (command.$query && typeof command.$query === 'object') command = command.$query as Document;
  return { kind: 'query', header, collection: coll.value, command };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function buildOpMsg(requestId: number, responseTo: number, doc: Document): Buffer {
  const body = BSON.serialize(doc);
  const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(HEADER_SIZE + 5 + body.length, requestId, responseTo, OP_MSG), prefix, body]);
}

export function buildOpReply(requestId: number, responseTo: number, doc: Document): Buffer {
  const body = BSON.serialize(doc);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (int64), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(HEADER_SIZE + 20 + body.length, requestId, responseTo, OP_REPLY), fields, body]);
}
