/**
 * The environment, parsed once at start-up by one schema into a typed, frozen Config.
 * Nothing else in the portal reads process.env: a bad value stops start-up with a message that
 * names the variable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BASE_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  MONGODB_URI: z.preprocess(emptyAsUndefined, z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional()),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  UPLOAD_DIR: z.preprocess(emptyAsUndefined, z.string().default('./uploads')),
  FILE_STORE: z.preprocess(emptyAsUndefined, z.enum(['disk', 'gridfs']).optional()),
  REQUEST_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(500).max(600_000).default(8000)),
  PAGE_CACHE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(60_000).optional()),
  SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  SMTP_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional()),
  MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().default('ASEM SME Exchange <no-reply@localhost>')),
  ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.email().optional()),
  ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(10, 'must be at least 10 characters').optional()),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.enum(['0', '1', 'true', 'false']).optional()),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  baseUrl: string;
  mongodbUri: string | undefined;
  dataDir: string;
  uploadDir: string;
  /** Where stored files live: `disk` (UPLOAD_DIR) or `gridfs` (the database; the default with MONGODB_URI). */
  fileStore: 'disk' | 'gridfs';
  /** After this long a request is answered 503 and its remaining database work is refused. */
  requestTimeoutMs: number;
  /** How long an anonymous reader's page may be served again from memory (src/web/page-cache.ts); 0: never. */
  pageCacheMs: number;
  sessionSecret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  admin: { email: string; password: string } | undefined;
  logLevel: string;
  trustProxy: boolean;
}

export class ConfigError extends Error {}

/** A secret kept in DATA_DIR so sessions survive restarts of a development portal. */
function keptSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.DATA_DIR);
  if (isProduction && !e.SESSION_SECRET) throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required in production');
  if ((e.ADMIN_EMAIL && !e.ADMIN_PASSWORD) || (!e.ADMIN_EMAIL && e.ADMIN_PASSWORD)) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_EMAIL / ADMIN_PASSWORD: set both or neither');
  }
  const config: Config = {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    mongodbUri: e.MONGODB_URI,
    dataDir,
    uploadDir: path.resolve(e.UPLOAD_DIR),
    fileStore: e.FILE_STORE ?? (e.MONGODB_URI ? 'gridfs' : 'disk'),
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    pageCacheMs: e.PAGE_CACHE_MS ?? (isProduction ? 1000 : 0),
    sessionSecret: e.SESSION_SECRET ?? keptSessionSecret(dataDir),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD } : undefined,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    trustProxy: e.TRUST_PROXY === '1' || e.TRUST_PROXY === 'true',
  };
  return Object.freeze(config);
}
