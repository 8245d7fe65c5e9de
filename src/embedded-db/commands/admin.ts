/**
 * Server-level commands: the handshake (hello / isMaster), ping, buildInfo, serverStatus,
 * listDatabases, server parameters and session bookkeeping. The handshake reply is shaped so
 * drivers see a writable standalone without compression or streaming monitoring.
 */
import { BSON, type Document } from 'bson';
import { hostname } from 'node:os';
import { ErrorCodes, MongoError } from '../errors';
import { MAX_BSON_SIZE, MAX_MESSAGE_SIZE } from '../wire';
import { requireAdmin, type CommandContext, type CommandHandler } from './context';
import { isPlainObject, keyString } from '../engine/values';
import { databaseSize } from './stats';

export const SERVER_VERSION = '7.0.0';
/** Wire version 21 (MongoDB 7.0) suits both the mongodb 7 driver and mongoose 9. */
export const MAX_WIRE_VERSION = 21;

function hello(cmd: Document, ctx: CommandContext): Document {
  // No topologyVersion (it switches drivers to streaming hello) and no compression (so clients
  // never send OP_COMPRESSED); no setName: this is a standalone.
  return {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: MAX_BSON_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connection.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

function buildInfo(): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_SIZE,
    javascriptEngine: 'none',
    storageEngines: ['embedded'],
    modules: [],
    openssl: { running: 'disabled' },
    ok: 1,
  };
}

function serverStatus(_cmd: Document, ctx: CommandContext): Document {
  const e = ctx.engine;
  const uptimeMillis = Date.now() - e.startedAt;
  const mem = process.memoryUsage();
  return {
    host: hostname(),
    version: SERVER_VERSION,
    process: 'mongod',
    pid: BSON.Long.fromNumber(process.pid),
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis: BSON.Long.fromNumber(uptimeMillis),
    uptimeEstimate: BSON.Long.fromNumber(Math.floor(uptimeMillis / 1000)),
    localTime: new Date(),
    connections: { current: ctx.connectionCount(), available: 1_000_000, totalCreated: ctx.connection.id },
    opcounters: { ...e.counters },
    mem: { bits: 64, resident: Math.round(mem.rss / 1048576), virtual: Math.round(mem.rss / 1048576), supported: true },
    metrics: { cursor: { open: { total: BSON.Long.fromNumber(e.cursors.openCount) } } },
    storageEngine: { name: 'embedded', supportsCommittedReads: false, persistent: true },
    ok: 1,
  };
}

function listDatabases(cmd: Document, ctx: CommandContext): Document {
  requireAdmin(ctx, 'listDatabases');
  let totalSize = 0;
  const databases: Document[] = [];
  for (const name of [...ctx.engine.catalog.dbs.keys()].sort()) {
    const size = databaseSize(ctx.engine, name);
    totalSize += size;
    databases.push(cmd.nameOnly ? { name } : { name, sizeOnDisk: size, empty: size === 0 });
  }
  if (cmd.nameOnly) return { databases, ok: 1 };
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
}

/** Parameters this server knows; ttlMonitorSleepSecs and notablescan can be changed. */
function getParameter(cmd: Document, ctx: CommandContext): Document {
  requireAdmin(ctx, 'getParameter');
  const params = ctx.engine.parameterValues();
  if (cmd.getParameter === '*') return { ...params, ok: 1 };
  const out: Document = {};
  for (const key of Object.keys(cmd)) {
    if (key === 'getParameter' || key.startsWith('$') || key === 'lsid') continue;
    if (key in params) out[key] = params[key];
  }
  if (Object.keys(out).length === 0) throw new MongoError(ErrorCodes.InvalidOptions, 'no option found to get');
  return { ...out, ok: 1 };
}

function setParameter(cmd: Document, ctx: CommandContext): Document {
  requireAdmin(ctx, 'setParameter');
  const params = ctx.engine.parameters;
  const reply: Document = {};
  for (const [key, value] of Object.entries(cmd)) {
    if (key === 'setParameter' || key.startsWith('$') || key === 'lsid' || key === 'comment') continue;
    if (key === 'notablescan') {
      if (typeof value !== 'boolean' && typeof value !== 'number') throw new MongoError(ErrorCodes.BadValue, `Invalid value for parameter notablescan: ${String(value)}`);
      reply.was = ctx.engine.catalog.scanPolicy.notablescan;
      ctx.engine.catalog.scanPolicy.notablescan = Boolean(value);
      continue;
    }
    if (key !== 'ttlMonitorSleepSecs') {
      throw new MongoError(ErrorCodes.InvalidOptions, `attempted to set unrecognized parameter [${key}], use help:true to see options `);
    }
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n < 1) throw new MongoError(ErrorCodes.BadValue, `Invalid value for parameter ${key}: ${String(value)}`);
    reply.was = params[key];
    params[key] = n;
    ctx.engine.ttl.reschedule();
  }
  if (!('was' in reply)) throw new MongoError(ErrorCodes.BadValue, 'no option found to set, use help:true to see options ');
  return { ...reply, ok: 1 };
}

const ok: CommandHandler = () => ({ ok: 1 });

export const adminCommands: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  serverStatus,
  listDatabases,
  getParameter,
  setParameter,
  endSessions: (cmd, ctx) => {
    if (Array.isArray(cmd.endSessions)) {
      for (const s of cmd.endSessions) if (isPlainObject(s) && s.id !== undefined) ctx.engine.sessions.delete(keyString(s.id));
    }
    return { ok: 1 };
  },
  refreshSessions: ok,
  killSessions: ok,
  killAllSessions: ok,
  logout: ok,
  whatsmyuri: (_cmd, ctx) => ({ you: ctx.connection.remote, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['embedded-db'], parsed: {}, ok: 1 }),
  hostInfo: () => ({ system: { hostname: hostname() }, os: { type: process.platform }, extra: {}, ok: 1 }),
  getFreeMonitoringStatus: () => ({ state: 'disabled', ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  features: () => ({ ok: 1 }),
  lockInfo: () => ({ lockInfo: [], ok: 1 }),
};
