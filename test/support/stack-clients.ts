/**
 * Direct clients of the stack under test, for asserting what really landed: the database
 * (through the app's own mongoose models) and Temporal. Call in beforeAll, close in afterAll.
 */
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { inject } from 'vitest';

export async function connectTestDatabase(): Promise<void> {
  await mongoose.connect(inject('mongoUri'));
}

export async function disconnectTestDatabase(): Promise<void> {
  await mongoose.disconnect();
}

export async function connectTemporalClient(): Promise<Client> {
  return new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
  });
}
