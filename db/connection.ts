import mongoose from 'mongoose';
import type { Logger } from '../config/logger.js';
import { detectIdOnlyFilterServer } from './guarded-update.js';
import { allModels } from './models.js';

/**
 * Connects the process-wide mongoose connection and makes sure every index the services rely
 * on exists (the night ledger's uniqueness is what makes double booking impossible).
 */
export async function connectMongo(uri: string, log: Logger): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 15_000, autoIndex: false });
  await Promise.all(allModels.map((model) => model.createIndexes()));
  await detectIdOnlyFilterServer();
  log.info('connected to MongoDB', { uri: redactUri(uri) });
  return mongoose;
}

export async function disconnectMongo(): Promise<void> {
  await mongoose.disconnect();
}

export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@');
}

/** Mongo's duplicate-key error, raised by unique indexes (E11000). */
export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { code?: unknown }).code === 11000 ||
      (Array.isArray((error as { writeErrors?: unknown }).writeErrors) &&
        (error as { writeErrors: { code?: number }[] }).writeErrors.some((e) => e.code === 11000)))
  );
}
