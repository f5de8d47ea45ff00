/**
 * Recorded workflow histories, replayed in CI so that a change to the saga that would break
 * running bookings (non-determinism) fails the build. Re-record with RECORD_HISTORY_FIXTURES=1
 * only when a change is meant to be incompatible (and then version the workflow instead).
 * `v1-*` histories come from sagas before the `local-mongo-writes` patch (every Mongo write a
 * task-queue activity), `v2-*` from sagas before the `unavailable-status-attribute` patch; they
 * must keep replaying for as long as such sagas may still run.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { History } = proto.temporal.api.history.v1;

export const HISTORY_FIXTURES_DIR = fileURLToPath(
  new URL('../fixtures/histories/', import.meta.url),
);

export async function recordHistoryFixture(
  client: Pick<Client, 'workflow'>,
  workflowId: string,
  name: string,
): Promise<void> {
  if (process.env.RECORD_HISTORY_FIXTURES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // Protobuf's own encoding: exact, compact, and independent of JSON conversion quirks.
  writeFileSync(join(HISTORY_FIXTURES_DIR, `${name}.history.pb`), History.encode(history).finish());
}

export function loadHistoryFixtures() {
  return readdirSync(HISTORY_FIXTURES_DIR)
    .filter((file) => file.endsWith('.history.pb'))
    .sort()
    .map((file) => ({
      workflowId: file.replace(/\.history\.pb$/, ''),
      history: History.decode(readFileSync(join(HISTORY_FIXTURES_DIR, file))),
    }));
}
