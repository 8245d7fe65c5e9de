/**
 * Where stored files live: `ctx.files`, a FileStore. Two implementations with the same behaviour:
 *
 * - **disk** (the default): UPLOAD_DIR/files/<storedName>, for one portal instance;
 * - **GridFS** (`mongodb` driver's GridFSBucket, bucket `uploads`): the files live in the database,
 *   so every portal instance behind a load balancer reads what any other one stored. Chosen when
 *   MONGODB_URI is set, or with FILE_STORE=gridfs.
 *
 * Uploads always arrive in the local temp folder first (UPLOAD_DIR/tmp, where they are sniffed);
 * `src/web/uploads.ts` hands them to the store with `put` once the request is accepted. Stored
 * names are random 32-hex strings made by the upload wrapper; a name of any other shape is "not
 * there", so a forged name never becomes a path or a query.
 */
import { createReadStream, mkdirSync } from 'node:fs';
import { copyFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mongoose, { type Connection } from 'mongoose';

export const STORED_NAME = /^[a-f0-9]{32}$/;

export interface OpenedFile {
  size: number;
  stream: Readable;
}

export interface FileStore {
  readonly kind: 'disk' | 'gridfs';
  /** Stores the local file at `sourcePath` under `storedName`; the source may be moved or left behind. Resolves once stored. */
  put(storedName: string, sourcePath: string): Promise<void>;
  /** The stored file for reading, or null when there is none under that name. */
  open(storedName: string): Promise<OpenedFile | null>;
  /** Removes a stored file; quiet when it is already gone. */
  remove(storedName: string): Promise<void>;
  exists(storedName: string): Promise<boolean>;
  /** Every stored name (consistency checks and tests). */
  list(): Promise<string[]>;
  /**
   * Removes what a process that died while storing left behind, begun before `olderThan`
   * (GridFS chunks without their file document; on disk a move is atomic, so nothing). Returns
   * how many incomplete files were removed.
   */
  sweepIncomplete(olderThan: Date): Promise<number>;
}

export function diskFileStore(uploadDir: string): FileStore {
  const dir = path.join(uploadDir, 'files');
  mkdirSync(dir, { recursive: true });
  const at = (name: string) => path.join(dir, name);
  return {
    kind: 'disk',
    async put(storedName, sourcePath) {
      if (!STORED_NAME.test(storedName)) throw new Error('invalid stored name');
      try {
        await rename(sourcePath, at(storedName));
      } catch (err) {
        // UPLOAD_DIR/tmp on another file system than UPLOAD_DIR/files: copy instead.
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        await copyFile(sourcePath, at(storedName));
      }
    },
    async open(storedName) {
      if (!STORED_NAME.test(storedName)) return null;
      try {
        const info = await stat(at(storedName));
        if (!info.isFile()) return null;
        return { size: info.size, stream: createReadStream(at(storedName)) };
      } catch {
        return null;
      }
    },
    async remove(storedName) {
      if (!STORED_NAME.test(storedName)) return;
      await unlink(at(storedName)).catch(() => undefined);
    },
    async exists(storedName) {
      if (!STORED_NAME.test(storedName)) return false;
      return stat(at(storedName)).then((s) => s.isFile(), () => false);
    },
    async list() {
      return (await readdir(dir).catch(() => [] as string[])).filter((n) => STORED_NAME.test(n));
    },
    async sweepIncomplete() {
      return 0;
    },
  };
}

export const GRIDFS_BUCKET = 'uploads';

export function gridFsFileStore(connection: Connection, bucketName = GRIDFS_BUCKET): FileStore {
  const bucket = () => {
    const db = connection.db;
    if (!db) throw new Error('the database is not connected');
    return new mongoose.mongo.GridFSBucket(db, { bucketName });
  };
  // Stored names are unique; the file document is written after its last chunk, so a file is
  // either whole or absent for readers.
  const findOne = async (storedName: string) => (await bucket().find({ filename: storedName }, { limit: 1 }).toArray())[0] ?? null;
  return {
    kind: 'gridfs',
    async put(storedName, sourcePath) {
      if (!STORED_NAME.test(storedName)) throw new Error('invalid stored name');
      const upload = bucket().openUploadStream(storedName);
      try {
        await pipeline(createReadStream(sourcePath), upload);
      } catch (err) {
        // Chunks already written must not stay behind without their file.
        await bucket().delete(upload.id).catch(() => undefined);
        await connection.db?.collection(`${bucketName}.chunks`).deleteMany({ files_id: upload.id }).catch(() => undefined);
        throw err;
      }
      await unlink(sourcePath).catch(() => undefined);
    },
    async open(storedName) {
      if (!STORED_NAME.test(storedName)) return null;
      const file = await findOne(storedName);
      if (!file) return null;
      return { size: file.length, stream: bucket().openDownloadStream(file._id) };
    },
    async remove(storedName) {
      if (!STORED_NAME.test(storedName)) return;
      const files = await bucket().find({ filename: storedName }).toArray();
      for (const f of files) await bucket().delete(f._id).catch(() => undefined);
    },
    async exists(storedName) {
      if (!STORED_NAME.test(storedName)) return false;
      return (await findOne(storedName)) !== null;
    },
    async list() {
      const files = await bucket().find({}, { projection: { filename: 1 } }).toArray();
      return files.map((f) => f.filename).filter((n) => STORED_NAME.test(n));
    },
    async sweepIncomplete(olderThan) {
      const db = connection.db;
      if (!db) return 0;
      // A file's id is an ObjectId made when its upload began: its time says how old the upload is.
      const cutoff = mongoose.Types.ObjectId.createFromTime(Math.floor(olderThan.getTime() / 1000));
      const chunks = db.collection(`${bucketName}.chunks`);
      const ids = (await chunks.distinct('files_id', { files_id: { $lt: cutoff } })) as mongoose.Types.ObjectId[];
      if (!ids.length) return 0;
      const complete = await db.collection(`${bucketName}.files`).find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
      const done = new Set(complete.map((f) => String(f._id)));
      const orphans = ids.filter((id) => !done.has(String(id)));
      if (orphans.length) await chunks.deleteMany({ files_id: { $in: orphans } });
      return orphans.length;
    },
  };
}

/** The store the configuration asks for (FILE_STORE, or GridFS when MONGODB_URI is set). */
export function createFileStore(config: { fileStore: 'disk' | 'gridfs'; uploadDir: string }, connection: Connection): FileStore {
  return config.fileStore === 'gridfs' ? gridFsFileStore(connection) : diskFileStore(config.uploadDir);
}
