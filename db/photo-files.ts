/**
 * The bytes of every photo size, in GridFS (bucket `photo_files`), through mongoose's connection.
 *
 * The documents are GridFS's own: a `photo_files.files` document (length, chunkSize, uploadDate,
 * filename, metadata) and its `photo_files.chunks` (files_id, n, data), so the driver's
 * GridFSBucket, mongofiles or any other GridFS tool reads and deletes them. What this module adds
 * is the `_id` of every chunk, recorded in the file's metadata (`chunkIds`): a read or a delete
 * then goes by `_id` only. FerretDB 1.x (the embedded server) serves no filter but an exact
 * `_id` from an index, and GridFSBucket finds chunks by `{files_id}`: measured on it, reading one
 * 15 KB thumbnail took 10 ms per photo stored (1.1 s with 100 photos in the bucket); by `_id` it
 * takes about 2 ms whatever the bucket holds. On MongoDB both are index reads.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { toObjectId } from './ids.js';
import { PhotoChunk, PhotoFile } from './models.js';

/** GridFS's default chunk size (255 KiB): a thumbnail or a card is one chunk. */
const CHUNK_SIZE = 255 * 1024;

const { Binary, ObjectId } = mongoose.mongo;
type ObjectIdValue = InstanceType<typeof ObjectId>;

interface FileDocument {
  _id: ObjectIdValue;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  filename: string;
  metadata?: { contentType?: string; sha256?: string; chunkIds?: ObjectIdValue[] };
}

interface ChunkDocument {
  _id: ObjectIdValue;
  files_id: ObjectIdValue;
  n: number;
  data: InstanceType<typeof Binary>;
}

const files = () => PhotoFile.collection as unknown as mongoose.mongo.Collection<FileDocument>;
const chunks = () => PhotoChunk.collection as unknown as mongoose.mongo.Collection<ChunkDocument>;

export interface StoredPhotoFile {
  fileId: string;
  bytes: number;
  /** Hex SHA-256 of the bytes: the strong ETag they are served with. */
  sha256: string;
}

/**
 * Stores `bytes` once as a GridFS file: the chunks first, then the file document, which is what
 * makes the file exist (a reader never sees a file whose chunks are not all written).
 */
export async function writePhotoFile(file: {
  filename: string;
  contentType: string;
  bytes: Buffer;
  metadata?: Record<string, unknown>;
}): Promise<StoredPhotoFile> {
  const fileId = new ObjectId();
  const parts: ChunkDocument[] = [];
  for (let offset = 0, n = 0; offset < file.bytes.length || n === 0; offset += CHUNK_SIZE, n++) {
    const data = file.bytes.subarray(offset, offset + CHUNK_SIZE);
    parts.push({ _id: new ObjectId(), files_id: fileId, n, data: new Binary(data) });
  }
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  try {
    await chunks().insertMany(parts, { ordered: true });
    await files().insertOne({
      _id: fileId,
      length: file.bytes.length,
      chunkSize: CHUNK_SIZE,
      uploadDate: new Date(),
      filename: file.filename,
      metadata: {
        ...file.metadata,
        contentType: file.contentType,
        sha256,
        chunkIds: parts.map((part) => part._id),
      },
    });
  } catch (error) {
    await deleteChunks(parts.map((part) => part._id)).catch(() => undefined);
    throw error;
  }
  return { fileId: fileId.toHexString(), bytes: file.bytes.length, sha256 };
}

/** The chunks of a file in order: by their recorded `_id`s, else (another tool's) by files_id. */
async function chunksOf(file: FileDocument): Promise<(ChunkDocument | null)[]> {
  const ids = file.metadata?.chunkIds;
  if (ids) return Promise.all(ids.map((id) => chunks().findOne({ _id: id })));
  return chunks().find({ files_id: file._id }).sort({ n: 1 }).toArray();
}

/** The file's bytes, or null when there is no such file (or it is being deleted). */
export async function readPhotoFile(fileId: string): Promise<Buffer | null> {
  const file = await files().findOne({ _id: toObjectId(fileId) });
  if (!file) return null;
  const parts = await chunksOf(file);
  const expected = Math.ceil(file.length / file.chunkSize);
  if (parts.length < expected) return null;
  const buffers: Buffer[] = [];
  for (const [n, part] of parts.entries()) {
    if (!part || part.n !== n || !part.files_id.equals(file._id)) return null;
    buffers.push(Buffer.from(part.data.buffer));
  }
  const bytes = Buffer.concat(buffers);
  return bytes.length === file.length ? bytes : null;
}

async function deleteChunks(ids: ObjectIdValue[]): Promise<void> {
  await Promise.all(ids.map((id) => chunks().deleteOne({ _id: id })));
}

/**
 * Deletes these files, each as GridFS does: the file document first (readers stop finding it at
 * once), then its chunks. A file already gone is no error.
 */
export async function deletePhotoFiles(fileIds: string[]): Promise<void> {
  await Promise.all(
    fileIds.map(async (hex) => {
      const _id = toObjectId(hex);
      const file = await files().findOne({ _id }, { projection: { 'metadata.chunkIds': 1 } });
      if (!file) return;
      await files().deleteOne({ _id });
      const ids = file.metadata?.chunkIds;
      if (ids) await deleteChunks(ids);
      else await chunks().deleteMany({ files_id: _id });
    }),
  );
}
