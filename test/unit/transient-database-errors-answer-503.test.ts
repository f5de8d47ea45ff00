import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from '../../db/transient-errors.js';

const { MongoNetworkError, MongoServerError } = mongoose.mongo;

describe('transient database errors (answered 503 with Retry-After, not 500)', () => {
  it("include FerretDB's SQLite write lock timing out and an unreachable server", () => {
    const busy = new MongoServerError({
      message:
        '[msg_delete.go:95 handler.(*Handler).MsgDelete] database is locked (5) (SQLITE_BUSY)',
    });
    expect(isTransientDatabaseError(busy)).toBe(true);
    expect(isTransientDatabaseError(new MongoNetworkError('connection reset'))).toBe(true);
  });

  it('exclude other database errors and everything else', () => {
    const duplicate = new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 });
    expect(isTransientDatabaseError(duplicate)).toBe(false);
    expect(isTransientDatabaseError(new Error('database is locked'))).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});
