/**
 * Snapshot frames read from the file in chunks (storage/framing.ts scanFileFrames) against
 * scanFrames over the whole file in memory: the same payloads, the same good end and the same
 * problem, for frames of every size around the chunk size, and for files cut short or damaged
 * anywhere (a torn tail, a flipped byte in a header or a payload).
 */
import fc from 'fast-check';
import { BSON, Binary } from 'bson';
import { frame, readDocument, scanFileFrames, scanFrames } from '../../src/embedded-db/storage/framing';

/** A file handle over a buffer, as much of FileHandle as the reader uses. */
function handle(file: Buffer): Parameters<typeof scanFileFrames>[0] {
  return {
    stat: () => Promise.resolve({ size: file.length }),
    read: (buffer: Buffer, offset: number, length: number, position: number) => {
      // Short reads now and then, as a real file may give.
      const n = Math.max(0, Math.min(length, file.length - position, length > 3 ? Math.ceil(length / 2) + 1 : length));
      file.copy(buffer, offset, position, position + n);
      return Promise.resolve({ bytesRead: n });
    },
  };
}

type Damage = { t: 'none' } | { t: 'cut'; at: number } | { t: 'flip'; at: number };

describe('scanFileFrames', () => {
  test('gives what scanFrames gives on the whole file, for any chunk size and any damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 5, max: 300 }), { maxLength: 25 }),
        fc.integer({ min: 1, max: 400 }),
        fc.oneof(
          fc.constant<Damage>({ t: 'none' }),
          fc.record({ t: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
          fc.record({ t: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
        ),
        async (sizes, chunk, damage) => {
          const head = Buffer.from('MAGIC123');
          const frames = sizes.map((n, i) => frame(Buffer.alloc(n, i % 251)));
          let file = Buffer.concat([head, ...frames]);
          if (damage.t === 'cut') file = file.subarray(0, Math.floor(damage.at * file.length));
          if (damage.t === 'flip' && file.length > head.length) {
            file = Buffer.from(file);
            const at = head.length + Math.floor(damage.at * (file.length - head.length));
            file[at] ^= 0x5a;
          }
          const start = Math.min(head.length, file.length);
          const whole = scanFrames(file, start);
          const streamed: Buffer[] = [];
          const scan = await scanFileFrames(handle(file), start, (p) => streamed.push(Buffer.from(p)), chunk);
          expect(scan.goodEnd).toBe(whole.goodEnd);
          expect(scan.problem).toBe(whole.problem);
          expect(streamed.map((p) => p.toString('hex'))).toEqual(whole.payloads.map((p) => p.toString('hex')));
        },
      ),
      { numRuns: 400 },
    );
  });

  test('a frame far larger than the chunk is read whole', async () => {
    const file = Buffer.concat([Buffer.from('MAGIC123'), frame(Buffer.alloc(10_000, 7)), frame(Buffer.alloc(6, 1))]);
    const got: number[] = [];
    const scan = await scanFileFrames(handle(file), 8, (p) => got.push(p.length), 64);
    expect(got).toEqual([10_000, 6]);
    expect(scan).toMatchObject({ goodEnd: file.length, problem: null });
  });
});

describe('readDocument', () => {
  test('binary data read from a large buffer is an own copy, not a view that keeps the buffer alive', () => {
    const doc = BSON.serialize({ _id: 1, data: new Binary(Buffer.from([1, 2, 3, 4]), 4) });
    const big = Buffer.alloc(1 << 20);
    Buffer.from(doc).copy(big, 1000);
    const read = readDocument(big.subarray(1000, 1000 + doc.length));
    big.fill(0xff);
    const data = read.data as Binary;
    expect(data).toBeInstanceOf(Binary);
    expect(data.sub_type).toBe(4);
    expect([...data.buffer.subarray(0, data.position)]).toEqual([1, 2, 3, 4]);
    expect(data.buffer.buffer).not.toBe(big.buffer);
  });
});
