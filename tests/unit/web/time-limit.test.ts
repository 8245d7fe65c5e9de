/**
 * The request time limit on a small Express app: the 503 page in the reader's language, the late
 * answer dropped (and reported), a response already under way left alone, uploads given longer.
 */
import express from 'express';
import mongoose, { Schema } from 'mongoose';
import request from 'supertest';
import { RequestTimedOutError, limitFor, outsideRequest, requestTimeLimit, timeLimitEvents } from '../../../src/web/time-limit';
import { testDbUri } from '../../helpers/db';

beforeAll(async () => {
  await mongoose.connect(testDbUri());
});
afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
});

function appWith(ms: number) {
  const app = express();
  app.use(requestTimeLimit({ ms }));
  let releaseLate!: () => void;
  const late = new Promise<void>((resolve) => (releaseLate = resolve));
  app.get('/late', async (_req, res) => {
    await late;
    res.send('too late');
  });
  app.get('/streaming', (_req, res) => {
    res.write('started ');
    void late.then(() => res.end('finished'));
  });
  return { app, releaseLate };
}

test('an unanswered request gets the 503 page in the reader language; its late answer is dropped and reported', async () => {
  const { app, releaseLate } = appWith(500);
  const zh = await request(app).get('/late').set('Accept-Language', 'zh-CN');
  expect(zh.status).toBe(503);
  expect(zh.headers['retry-after']).toBe('10');
  expect(zh.text).toContain('<html lang="zh-CN">');
  expect(zh.text).toContain('门户网站响应时间过长');
  const en = await request(app).get('/late').set('Cookie', 'lang=en').set('Accept-Language', 'zh-CN');
  expect(en.text).toContain('Temporarily unavailable');
  const reported = new Promise((resolve) => timeLimitEvents.once('late', resolve));
  releaseLate();
  expect(await reported).toMatchObject({ method: 'GET', url: '/late' });
});

test('a response already under way is left to finish', async () => {
  const { app, releaseLate } = appWith(500);
  let started!: () => void;
  const headersIn = new Promise<void>((resolve) => (started = resolve));
  const streaming = request(app)
    .get('/streaming')
    .buffer(true)
    .parse((res, cb) => {
      let body = '';
      started();
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => cb(null, body));
    })
    .then((r) => r);
  await headersIn;
  // A request started after it, with the same limit, is cut off: the streaming one's limit has
  // passed too (timers of equal length fire in order).
  expect((await request(app).get('/late')).status).toBe(503);
  releaseLate();
  const res = await streaming;
  expect(res.status).toBe(200);
  expect(res.body).toBe('started finished');
});

test('uploads get six times the limit, at least a minute', () => {
  const req = (type: string) => ({ is: (t: string) => (type.startsWith(t) ? t : false) }) as unknown as express.Request;
  expect(limitFor(req('multipart/form-data; boundary=x'), 8000)).toBe(60_000);
  expect(limitFor(req('multipart/form-data; boundary=x'), 20_000)).toBe(120_000);
  expect(limitFor(req('application/x-www-form-urlencoded'), 8000)).toBe(8000);
});

test('after the 503, every kind of database work of that request is refused; work started outside it is not', async () => {
  const Thing = mongoose.models.TimeLimitThing ?? mongoose.model('TimeLimitThing', new Schema({ name: String }), 'time_limit_things');
  await Thing.create({ name: 'before' });
  const app = express();
  app.use(requestTimeLimit({ ms: 500 }));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const outcomes: Record<string, string> = {};
  let background: Promise<unknown> = Promise.resolve();
  const attempt = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
      outcomes[name] = 'done';
    } catch (err) {
      outcomes[name] = err instanceof RequestTimedOutError ? 'refused' : String(err);
    }
  };
  app.post('/slow', async (_req, res) => {
    await gate;
    await attempt('create', () => Thing.create({ name: 'create' }));
    await attempt('save', () => new Thing({ name: 'save' }).save());
    await attempt('insertMany', () => Thing.insertMany([{ name: 'insertMany' }]));
    await attempt('bulkWrite', () => Thing.bulkWrite([{ insertOne: { document: { name: 'bulk' } } }]));
    await attempt('updateOne', () => Thing.updateOne({ name: 'before' }, { $set: { name: 'changed' } }));
    await attempt('find', () => Thing.find({}).lean());
    await attempt('aggregate', () => Thing.aggregate([{ $match: {} }]));
    background = outsideRequest(() => Thing.create({ name: 'background' }));
    res.send('late');
  });
  const reported = new Promise((resolve) => timeLimitEvents.once('late', resolve));
  expect((await request(app).post('/slow')).status).toBe(503);
  release();
  await reported;
  await background;
  expect(outcomes).toEqual({ create: 'refused', save: 'refused', insertMany: 'refused', bulkWrite: 'refused', updateOne: 'refused', find: 'refused', aggregate: 'refused' });
  expect((await Thing.find({}).lean()).map((d) => d.name).sort()).toEqual(['background', 'before']);
});
