import mongoose from 'mongoose';

const { MongoNetworkError, MongoServerError, MongoServerSelectionError } = mongoose.mongo;

/**
 * A failure of the database that the same request a moment later may not meet: the server is
 * unreachable, or FerretDB's SQLite write lock stayed taken longer than its busy timeout. The API
 * answers these with 503 and Retry-After instead of a 500.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  return error instanceof MongoServerError && /SQLITE_BUSY|database is locked/.test(error.message);
}
