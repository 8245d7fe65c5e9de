/**
 * The wire protocol at byte level, over raw sockets: the legacy OP_QUERY handshake answered
 * with OP_REPLY, OP_MSG with a kind-1 document sequence, the moreToCome flag (no reply), and
 * garbage (bad lengths, broken BSON) closing only the connection that sent it.
 */
import net from 'node:net';
import { BSON, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { embeddedOnly, testDbUri } from './support';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_COMPRESSED = 2012;
const OP_MSG = 2013;

let host: string;
let port: number;
let dbName: string;

beforeAll(() => {
  const url = new URL(testDbUri('wire'));
  host = url.hostname;
  port = Number(url.port || 27017);
  dbName = url.pathname.slice(1);
});

afterAll(async () => {
  const client = new MongoClient(testDbUri());
  await client.connect();
  await client.db(dbName).dropDatabase();
  await client.close();
});

function header(length: number, requestId: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opMsg(requestId: number, body: Document, flags = 0, sequence?: { id: string; docs: Document[] }): Buffer {
  const parts: Buffer[] = [];
  const f = Buffer.alloc(4);
  f.writeUInt32LE(flags, 0);
  parts.push(f, Buffer.from([0]), Buffer.from(BSON.serialize(body)));
  if (sequence) {
    const docs = Buffer.concat(sequence.docs.map((d) => Buffer.from(BSON.serialize(d))));
    const id = Buffer.from(`${sequence.id}\0`);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + id.length + docs.length, 0);
    parts.push(Buffer.from([1]), size, id, docs);
  }
  const payload = Buffer.concat(parts);
  return Buffer.concat([header(16 + payload.length, requestId, OP_MSG), payload]);
}

function opQuery(requestId: number, ns: string, query: Document): Buffer {
  const flags = Buffer.alloc(4);
  const nsBuf = Buffer.from(`${ns}\0`);
  const skipReturn = Buffer.alloc(8);
  skipReturn.writeInt32LE(-1, 4);
  const payload = Buffer.concat([flags, nsBuf, skipReturn, Buffer.from(BSON.serialize(query))]);
  return Buffer.concat([header(16 + payload.length, requestId, OP_QUERY), payload]);
}

interface Reply {
  responseTo: number;
  opCode: number;
  doc: Document;
}

/** A raw connection that collects whole replies and notices when the server closes it. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<(r: Reply) => void> = [];
  private replies: Reply[] = [];
  readonly closed: Promise<void>;
  private socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 4 && this.buf.length >= this.buf.readInt32LE(0)) {
        const len = this.buf.readInt32LE(0);
        const msg = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        const opCode = msg.readInt32LE(12);
        const docStart = opCode === OP_REPLY ? 36 : 21;
        const reply = { responseTo: msg.readInt32LE(8), opCode, doc: BSON.deserialize(msg.subarray(docStart)) };
        const w = this.waiters.shift();
        if (w) w(reply);
        else this.replies.push(reply);
      }
    });
  }

  static async connect(): Promise<RawClient> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(b: Buffer): void {
    this.socket.write(b);
  }

  next(): Promise<Reply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  end(): void {
    this.socket.destroy();
  }
}

async function stillServes(): Promise<void> {
  const c = await RawClient.connect();
  c.send(opMsg(1, { ping: 1, $db: 'admin' }));
  expect((await c.next()).doc.ok).toBe(1);
  c.end();
}

describe('wire protocol', () => {
  test('legacy OP_QUERY isMaster handshake gets an OP_REPLY', async () => {
    const c = await RawClient.connect();
    c.send(opQuery(7, 'admin.$cmd', { isMaster: 1, helloOk: true, client: { driver: { name: 'raw', version: '0' } } }));
    const r = await c.next();
    expect(r.opCode).toBe(OP_REPLY);
    expect(r.responseTo).toBe(7);
    expect(r.doc).toMatchObject({ ok: 1, ismaster: true });
    expect(typeof r.doc.maxWireVersion).toBe('number');
    c.end();
  });

  test('OP_MSG with a kind-1 document sequence; moreToCome gets no reply', async () => {
    const c = await RawClient.connect();
    c.send(opMsg(10, { insert: 'seq', $db: dbName }, 0, { id: 'documents', docs: [{ _id: 1 }, { _id: 2 }] }));
    const r = await c.next();
    expect(r.opCode).toBe(OP_MSG);
    expect(r.responseTo).toBe(10);
    expect(r.doc).toMatchObject({ ok: 1, n: 2 });
    // moreToCome (flag bit 1) with w:0: the next reply must answer request 12, not 11.
    c.send(opMsg(11, { insert: 'seq', $db: dbName, writeConcern: { w: 0 } }, 2, { id: 'documents', docs: [{ _id: 3 }] }));
    c.send(opMsg(12, { count: 'seq', $db: dbName }));
    const r2 = await c.next();
    expect(r2.responseTo).toBe(12);
    expect(r2.doc.n).toBe(3);
    c.end();
  });

  test('a message with an absurd length closes only that connection', async () => {
    const c = await RawClient.connect();
    const bad = Buffer.alloc(16);
    bad.writeInt32LE(2_000_000_000, 0);
    c.send(bad);
    await c.closed;
    await stillServes();
  });

  test('a too-short length closes the connection', async () => {
    const c = await RawClient.connect();
    const bad = Buffer.alloc(8);
    bad.writeInt32LE(5, 0);
    c.send(bad);
    await c.closed;
    await stillServes();
  });

  test('broken BSON inside a well-framed OP_MSG closes the connection', async () => {
    const c = await RawClient.connect();
    const body = Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }));
    body.writeInt32LE(body.length + 50, 0);
    const payload = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), body]);
    c.send(Buffer.concat([header(16 + payload.length, 3, OP_MSG), payload]));
    await c.closed;
    await stillServes();
  });

  embeddedOnly('OP_COMPRESSED is refused with an error reply, and the connection stays usable', async () => {
    const c = await RawClient.connect();
    const inner = Buffer.alloc(9);
    inner.writeInt32LE(OP_MSG, 0);
    inner.writeInt32LE(100, 4);
    inner.writeUInt8(1, 8); // snappy
    const payload = Buffer.concat([inner, Buffer.alloc(100)]);
    c.send(Buffer.concat([header(16 + payload.length, 21, OP_COMPRESSED), payload]));
    const r = await c.next();
    expect(r.responseTo).toBe(21);
    expect(r.doc.ok).toBe(0);
    expect(r.doc.errmsg).toMatch(/OP_COMPRESSED/);
    c.send(opMsg(22, { ping: 1, $db: 'admin' }));
    expect((await c.next()).doc.ok).toBe(1);
    c.end();
  });
});
