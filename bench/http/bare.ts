/**
 * The ceiling for this stack on this machine: a bare Express 5 + EJS page (layout, header, a list
 * of 20 posts held in memory), no database, no session. bench/http/run.ts starts it in its own
 * process and compares every portal page against it in the same run.
 *
 *   node --import tsx bench/http/bare.ts   (prints "BARE_READY <port>")
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';

const posts = Array.from({ length: 20 }, (_, i) => ({
  id: i + 1,
  author: `Member ${i + 1}`,
  createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
  body: `Post number ${i + 1}: a paragraph of text about trade fairs, distributors and partners in Asia and Europe, long enough to look like a real reply on a message board.`,
}));

const app = express();
app.disable('x-powered-by');
app.set('view engine', 'ejs');
app.set('views', path.join(__dirname, 'bare-views'));
app.set('view cache', true);
app.get('/', (_req, res) => {
  res.render('thread', { title: 'A thread', posts, formatDate: (d: Date) => d.toISOString().slice(0, 10) });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`BARE_READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
