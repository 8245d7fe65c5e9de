/**
 * The embedded database's network front: accepts TCP connections on 127.0.0.1, frames the
 * MongoDB wire protocol, runs each connection's requests one after another through the command
 * dispatcher, and shuts down cleanly. A connection that sends garbage is closed on its own.
 */
import net from 'node:net';
import type { Document } from 'bson';
import type { Storage } from './storage/types';
import { Engine, type EngineOptions, type Logger } from './engine/engine';
import { runCommand } from './commands';
import type { CommandContext, ConnectionInfo } from './commands/context';
import { ErrorCodes, codeName } from './errors';
import { MessageReader, ProtocolError, buildOpMsg, buildOpReply, parseMessage, type ParsedMessage } from './wire';

export interface ServerOptions {
  storage: Storage;
  host?: string;
  port?: number;
  logger?: Logger;
  engine?: EngineOptions;
}

export interface RunningServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

const quietLogger: Logger = {
  info: () => undefined,
  warn: (m) => console.warn(`[embedded-db] ${m}`),
  error: (m) => console.error(`[embedded-db] ${m}`),
};

class Connection {
  private readonly reader = new MessageReader();
  private queue: Promise<void> = Promise.resolve();
  private nextResponseId = 1;

  constructor(
    private readonly socket: net.Socket,
    private readonly info: ConnectionInfo,
    private readonly engine: Engine,
    private readonly connectionCount: () => number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
  }

  private onData(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.reader.push(chunk);
    } catch (err) {
      this.drop(err);
      return;
    }
    for (const m of messages) this.queue = this.queue.then(() => this.handle(m));
  }

  private drop(err: unknown): void {
    this.engine.logger.warn(`connection ${this.info.id} (${this.info.remote}) closed: ${(err as Error).message}`);
    this.socket.destroy();
  }

  private context(db: string): CommandContext {
    return { engine: this.engine, db, connection: this.info, connectionCount: this.connectionCount };
  }

  private send(buf: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(buf);
  }

  private async handle(raw: Buffer): Promise<void> {
    if (this.socket.destroyed) return;
    let msg: ParsedMessage;
    try {
      msg = parseMessage(raw);
    } catch (err) {
      this.drop(err);
      return;
    }
    try {
      await this.dispatch(msg);
    } catch (err) {
      this.drop(err);
    }
  }

  private async dispatch(msg: ParsedMessage): Promise<void> {
    const reqId = msg.header.requestId;
    switch (msg.kind) {
      case 'query': {
        if (!msg.collection.endsWith('.$cmd')) {
          this.send(buildOpReply(this.nextResponseId++, reqId, { $err: 'OP_QUERY is only supported for commands', code: 5739101, ok: 0 }));
          return;
        }
        const db = msg.collection.slice(0, -'.$cmd'.length);
        const reply = await runCommand(msg.command, this.context(db));
        this.send(buildOpReply(this.nextResponseId++, reqId, reply));
        return;
      }
      case 'msg': {
        const db = msg.command.$db;
        let reply: Document;
        if (typeof db !== 'string' || db.length === 0) {
          reply = { ok: 0, errmsg: 'OP_MSG requests require a $db argument', code: 40571, codeName: codeName(40571) };
        } else {
          reply = await runCommand(msg.command, this.context(db));
        }
        if (!msg.moreToCome) this.send(buildOpMsg(this.nextResponseId++, reqId, reply));
        return;
      }
      case 'compressed':
        // Compression is never offered in the handshake, so a client sending it is confused:
        // say so, and keep the connection usable.
        this.send(
          buildOpMsg(this.nextResponseId++, reqId, {
            ok: 0,
            errmsg: 'OP_COMPRESSED is not supported: the embedded database does not negotiate compression',
            code: ErrorCodes.CommandNotSupported,
            codeName: codeName(ErrorCodes.CommandNotSupported),
          }),
        );
        return;
      default:
        throw new ProtocolError(`unsupported opCode ${msg.header.opCode}`);
    }
  }
}

export async function createServer(opts: ServerOptions): Promise<RunningServer> {
  const logger = opts.logger ?? quietLogger;
  const host = opts.host ?? '127.0.0.1';
  const engine = new Engine(opts.storage, logger, undefined, opts.engine);
  await engine.open();
  const sockets = new Set<net.Socket>();
  let connectionIds = 0;
  let closing = false;

  const server = net.createServer((socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const info: ConnectionInfo = { id: ++connectionIds, remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` };
    new Connection(socket, info, engine, () => sockets.size);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error(`server error: ${err.message}`));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  logger.info(`embedded database listening on mongodb://${host}:${port}`);

  return {
    port,
    host,
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      await engine.close();
    },
  };
}
