/**
 * `db/guarded-update.ts` writes in one of two forms: MongoDB's (the guard in the write's own
 * filter, atomic) and FerretDB's (read by `_id`, check, write by `_id`). The suite runs on
 * FerretDB, which also answers the first form (by a scan), so both are proven here against the
 * same server: the same guards give the same writes.
 */
import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteByIdIf, updateByIdIf, useIdOnlyWrites } from '../../db/guarded-update.js';
import { connectTestDatabase, disconnectTestDatabase } from '../support/stack-clients.js';

interface Probe {
  _id: string;
  owner: string;
  count: number;
}
const ProbeModel = mongoose.model<Probe>(
  'GuardedWriteProbe',
  new Schema<Probe>(
    { _id: String, owner: String, count: Number },
    { collection: 'guarded_write_probes' },
  ),
);

const ownedBy = (owner: string) => ({
  filter: { owner },
  holds: (doc: Probe) => doc.owner === owner,
  select: { owner: 1 } as Record<string, 1>,
});

let initialForm: boolean;

beforeAll(async () => {
  await connectTestDatabase();
  initialForm = useIdOnlyWrites(false);
});

afterAll(async () => {
  useIdOnlyWrites(initialForm);
  await disconnectTestDatabase();
});

describe.each([
  ['MongoDB form: the guard in the filter', false],
  ['FerretDB form: read by _id, check, write by _id', true],
])('guarded writes, %s', (_name, idOnly) => {
  it('write only while the guard holds, and say whether they wrote', async () => {
    useIdOnlyWrites(idOnly);
    const id = `probe-${idOnly}-${Date.now()}`;
    await ProbeModel.create({ _id: id, owner: 'ana', count: 0 });

    expect(await updateByIdIf(ProbeModel, id, ownedBy('ana'), { $inc: { count: 1 } })).toBe(true);
    expect(await updateByIdIf(ProbeModel, id, ownedBy('bo'), { $inc: { count: 10 } })).toBe(false);
    expect(await updateByIdIf(ProbeModel, 'missing', ownedBy('ana'), { $inc: { count: 1 } })).toBe(
      false,
    );
    expect((await ProbeModel.findById(id).lean())?.count).toBe(1);

    expect(await deleteByIdIf(ProbeModel, id, ownedBy('bo'))).toBe(false);
    expect(await ProbeModel.exists({ _id: id })).not.toBeNull();
    expect(await deleteByIdIf(ProbeModel, id, ownedBy('ana'))).toBe(true);
    expect(await ProbeModel.exists({ _id: id })).toBeNull();
    expect(await deleteByIdIf(ProbeModel, id, ownedBy('ana'))).toBe(false);
  });
});
