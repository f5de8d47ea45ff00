import type { Model, UpdateQuery } from 'mongoose';
import mongoose from 'mongoose';

/**
 * FerretDB 1.x (the embedded Mongo-wire server) serves only an exact `{_id: value}` filter from
 * an index: any other filter, even `{_id, status}`, reads and decodes every document of the
 * collection. Its updates and deletes are also a read followed by a write, never one atomic step.
 * `connectMongo` records which server it reached; the writes below pick their form from it.
 */
let scansUnlessIdOnly = false;

export async function detectIdOnlyFilterServer(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) return;
  const info = await db.admin().command({ buildInfo: 1 });
  scansUnlessIdOnly = 'ferretdbVersion' in info;
}

/**
 * Which form the guarded writes take: `true` reads by `_id` and checks in code (FerretDB's),
 * `false` puts the guard in the write's filter (MongoDB's). Set by `detectIdOnlyFilterServer`;
 * tests set it to run both forms against the same server. Returns the previous form.
 */
export function useIdOnlyWrites(idOnly: boolean): boolean {
  const previous = scansUnlessIdOnly;
  scansUnlessIdOnly = idOnly;
  return previous;
}

type IdValue = mongoose.Types.ObjectId | string;

export interface UpdateGuard<Doc> {
  /** The guard as a filter on top of `_id` (MongoDB checks it and writes in one atomic step). */
  filter: Record<string, unknown>;
  /** The same guard on the document as read by `_id` (FerretDB). */
  holds(doc: Doc): boolean;
  /** The fields `holds` reads. */
  select: Record<string, 1>;
}

/**
 * Runs `write` on the document with this `_id` only while the guard holds; true if it wrote.
 * On MongoDB the guard is part of the write's filter, so check and write are atomic. On FerretDB
 * the document is read by `_id`, checked, and written by `_id`: what FerretDB itself would do with
 * the guarded filter, minus its full collection scan.
 */
async function writeByIdIf<Doc>(
  id: IdValue,
  guard: UpdateGuard<Doc>,
  read: () => Promise<Doc | null>,
  write: (filter: Record<string, unknown>) => Promise<number>,
): Promise<boolean> {
  if (!scansUnlessIdOnly) return (await write({ _id: id, ...guard.filter })) === 1;
  const doc = await read();
  if (!doc || !guard.holds(doc)) return false;
  return (await write({ _id: id })) === 1;
}

/** Updates the document with this `_id` only while the guard holds; true if it was updated. */
export async function updateByIdIf<Doc>(
  model: Model<Doc>,
  id: IdValue,
  guard: UpdateGuard<Doc>,
  update: UpdateQuery<Doc>,
): Promise<boolean> {
  const read = () => model.findById(id).select(guard.select).lean<Doc>();
  return writeByIdIf(id, guard, read, async (filter) => {
    return (await model.updateOne(filter, update)).matchedCount;
  });
}

/** Deletes the document with this `_id` only while the guard holds; true if it was deleted. */
export async function deleteByIdIf<Doc>(
  model: Model<Doc>,
  id: IdValue,
  guard: UpdateGuard<Doc>,
): Promise<boolean> {
  const read = () => model.findById(id).select(guard.select).lean<Doc>();
  return writeByIdIf(id, guard, read, async (filter) => {
    return (await model.deleteOne(filter)).deletedCount;
  });
}
