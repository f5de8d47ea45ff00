/**
 * `audit <bookingId>`: everything the system knows about one booking, from its three sources
 * of truth, in one time line: the Kafka messages keyed by it (both topics and their DLTs), its
 * workflow's history, and the Mongo booking with its transitions and ignored decisions. Then a
 * verdict on whether the three tell the same story. Collectors, verdict and formatter each have
 * their module here.
 */
import { z } from 'zod';
import { bookingWorkflowId } from '../../domain/ids.js';
import { objectIdHex } from '../../domain/messages.js';
import type { AuditDeps, AuditReport } from './evidence.js';
import { collectKafkaEvidence, withDecisionOrigins } from './kafka-evidence.js';
import { collectMongoEvidence } from './mongo-evidence.js';
import { buildAuditReport } from './verdict.js';
import { collectWorkflowEvidence } from './workflow-evidence.js';

export * from './evidence.js';
export { buildTimeline, formatAuditReport } from './format.js';
export { buildAuditReport, judgeConsistency, topicOnlyDecisionsApplied } from './verdict.js';
export { eventTypeName } from './workflow-evidence.js';

export interface AuditOptions {
  bookingId: string;
  json: boolean;
}

export const auditArguments = z
  .object({
    positionals: z.tuple([objectIdHex], { error: 'expects exactly one booking id' }),
    flags: z.strictObject({ json: z.literal(true).optional() }),
  })
  .transform(({ positionals, flags }): AuditOptions => ({
    bookingId: positionals[0],
    json: flags.json === true,
  }));

export const AUDIT_USAGE = `audit <bookingId> [--json]
  One booking's Kafka messages (both topics and their DLTs), workflow history and Mongo
  transitions in time order, and whether they are consistent. --json prints the whole report.`;

export async function auditBooking(deps: AuditDeps, bookingId: string): Promise<AuditReport> {
  const workflowId = bookingWorkflowId(bookingId);
  const [kafka, workflow, mongo] = await Promise.all([
    collectKafkaEvidence(deps, bookingId).then((found) => withDecisionOrigins(found, deps.topics)),
    collectWorkflowEvidence(deps.temporal, workflowId),
    collectMongoEvidence(bookingId),
  ]);
  return buildAuditReport({ bookingId, workflowId, kafka, workflow, mongo });
}
