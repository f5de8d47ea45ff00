/**
 * `audit <bookingId>`: everything the system knows about one booking, from its three sources
 * of truth, in one time line: the Kafka messages keyed by it (both topics and their DLTs), its
 * workflow's history, and the Mongo booking with its transitions and ignored decisions. Then a
 * verdict on whether the three tell the same story.
 */
import { randomUUID } from 'node:crypto';
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import protos, { type google, type temporal } from '@temporalio/proto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  REDRIVEN_FROM_HEADER,
} from '../kafka/dead-letters.js';
import { findBookingById } from '../db/bookings.js';
import { wasIssuedByApi } from '../db/issued-decisions.js';
import { bookingWorkflowId } from '../domain/ids.js';
import {
  objectIdHex,
  receivedBookingCreated,
  receivedBookingStatusUpdated,
} from '../domain/messages.js';
import type { BookingTopics } from '../kafka/topics.js';
import {
  deleteThrowawayGroup,
  fetchWatermarks,
  headerText,
  readPartitionRanges,
  wholeTopicRanges,
} from './topic-range-reader.js';

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

export interface KafkaEvidence {
  topic: string;
  partition: number;
  offset: string;
  at: string;
  type?: string;
  eventId?: string;
  status?: string;
  deadLetterReason?: string;
  redrivenFrom?: string;
  /**
   * For a decision on `booking-updates`: `api` when the StaySaga API issued it (its record is in
   * `issued_decisions`), `topic-only` when it was produced straight onto the topic by someone
   * else: another owner service, an operator's tool, or a forger who reached the broker.
   */
  origin?: DecisionOrigin;
}

export type DecisionOrigin = 'api' | 'topic-only';

export interface WorkflowEventEvidence {
  id: number;
  at: string;
  type: string;
  signalName?: string;
  /** A decision signal's status and eventId. */
  decision?: { status?: string; eventId?: string };
  activityType?: string;
  /** The transition a `recordPendingBooking` or `recordTransition` activity was asked to write. */
  writes?: { to?: string; at?: string; eventId?: string };
}

export interface MongoTransitionEvidence {
  from: string | null;
  to: string;
  at: string;
  eventId?: string;
  sourceKind?: string;
}

export interface MongoIgnoredEvidence {
  eventId?: string;
  status?: string;
  ignoreReason?: string;
  receivedAt?: string;
  sourceKind?: string;
}

export interface AuditEvidence {
  bookingId: string;
  workflowId: string;
  kafka: KafkaEvidence[];
  /** Undefined when Temporal has no workflow of that id (never started, or deleted by retention). */
  workflow?: WorkflowEventEvidence[];
  mongo?: {
    status: string;
    history: MongoTransitionEvidence[];
    ignoredDecisions: MongoIgnoredEvidence[];
  };
}

export interface ConsistencyCheck {
  check: string;
  ok: boolean;
  detail?: string;
}

export interface TimelineEntry {
  at: string;
  source: 'kafka' | 'temporal' | 'mongo';
  what: string;
}

export interface AuditReport extends AuditEvidence {
  timeline: TimelineEntry[];
  consistent: boolean;
  checks: ConsistencyCheck[];
  /** What is consistent but worth an operator's look: decisions that bypassed the API. */
  warnings: string[];
}

export interface AuditDeps {
  kafka: Kafka;
  temporal: Client;
  topics: BookingTopics;
}

// ---------------------------------------------------------------------------------------------
// Kafka

/** Reads a message as its consumer does (a seed-format one gets the eventId the consumer derived). */
function messageFields(json: unknown): Record<string, unknown> {
  const body = asRecord(json);
  const schema =
    body.type === 'booking-status-updated'
      ? receivedBookingStatusUpdated
      : body.type === 'booking-created'
        ? receivedBookingCreated
        : undefined;
  const read = schema?.safeParse(json);
  return read?.success ? read.data : body;
}

function kafkaEvidence(topic: string, partition: number, message: KafkaMessage): KafkaEvidence {
  const evidence: KafkaEvidence = {
    topic,
    partition,
    offset: message.offset,
    at: new Date(Number(message.timestamp)).toISOString(),
    deadLetterReason: headerText(message, DEAD_LETTER_HEADERS.reason),
    redrivenFrom: headerText(message, REDRIVEN_FROM_HEADER),
  };
  try {
    const body = messageFields(JSON.parse(message.value?.toString('utf8') ?? ''));
    for (const field of ['type', 'eventId', 'status'] as const) {
      if (typeof body[field] === 'string') evidence[field] = body[field];
    }
  } catch {
    // A malformed value (typically on a DLT) is still evidence: it is listed without fields.
  }
  return evidence;
}

/**
 * Scans both booking topics and their DLTs from the beginning to the current high watermark
 * and keeps what is keyed by this booking. A full scan is fine at this system's scale (a few
 * thousand messages); with long retention on a busy cluster, index messages by key instead.
 */
async function collectKafkaEvidence(deps: AuditDeps, bookingId: string): Promise<KafkaEvidence[]> {
  const topics = [deps.topics.requests, deps.topics.updates].flatMap((t) => [
    t,
    deadLetterTopic(t),
  ]);
  const groupId = `staysaga-ops-audit-${randomUUID()}`;
  const found: KafkaEvidence[] = [];
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const ranges = [];
    for (const topic of topics)
      ranges.push(...wholeTopicRanges(topic, await fetchWatermarks(admin, topic)));
    await readPartitionRanges({
      kafka: deps.kafka,
      groupId,
      ranges,
      handle: async (message, range) => {
        if (message.key?.toString('utf8') === bookingId) {
          found.push(kafkaEvidence(range.topic, range.partition, message));
        }
        return Promise.resolve('continue');
      },
    });
    await deleteThrowawayGroup(admin, groupId);
  } finally {
    await admin.disconnect();
  }
  return found;
}

/** Marks each decision on the updates topic with whether the API issued it. */
async function withDecisionOrigins(
  evidence: KafkaEvidence[],
  topics: BookingTopics,
): Promise<KafkaEvidence[]> {
  return Promise.all(
    evidence.map(async (m) => {
      if (m.topic !== topics.updates || m.type !== 'booking-status-updated') return m;
      const issued = m.eventId ? await wasIssuedByApi(m.eventId) : false;
      return { ...m, origin: issued ? 'api' : 'topic-only' } satisfies KafkaEvidence;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Temporal

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = protos.temporal.api.enums.v1;

/** `EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED` -> `WorkflowExecutionSignaled`, as the UI shows it. */
export function eventTypeName(eventType: number | null | undefined): string {
  const name = EventType[eventType ?? 0] ?? `EventType${eventType}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, _sep: string, letter: string) => letter.toUpperCase());
}

function timestampToIso(ts: google.protobuf.ITimestamp | null | undefined): string {
  const seconds = Number(ts?.seconds?.toString() ?? '0');
  return new Date(seconds * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6)).toISOString();
}

/** The booking saga's payloads use the default converter (no codec), so they decode directly. */
function firstArgument(client: Client, payloads: Payload[] | null | undefined): unknown {
  const first = payloads?.[0];
  if (!first) return undefined;
  try {
    return client.options.loadedDataConverter.payloadConverter.fromPayload(first);
  } catch {
    return undefined;
  }
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

function workflowEventEvidence(client: Client, event: HistoryEvent): WorkflowEventEvidence {
  const evidence: WorkflowEventEvidence = {
    id: Number(event.eventId?.toString() ?? '0'),
    at: timestampToIso(event.eventTime),
    type: eventTypeName(event.eventType),
  };
  const signal = event.workflowExecutionSignaledEventAttributes;
  if (signal) {
    evidence.signalName = signal.signalName ?? undefined;
    const decision = asRecord(firstArgument(client, signal.input?.payloads));
    evidence.decision = { status: asString(decision.status), eventId: asString(decision.eventId) };
  }
  const scheduled = event.activityTaskScheduledEventAttributes;
  if (scheduled) {
    evidence.activityType = scheduled.activityType?.name ?? undefined;
    const input = asRecord(firstArgument(client, scheduled.input?.payloads));
    if (input.transition !== undefined) evidence.writes = writtenTransition(input.transition);
  }
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
    // A local activity: its type is in the marker's data; the status writes return what they
    // wrote, and the marker keeps that result (not the arguments).
    const data = asRecord(firstArgument(client, marker.details?.data?.payloads));
    evidence.activityType = asString(data.activity_type);
    const result = firstArgument(client, marker.details?.result?.payloads);
    if (asRecord(result).to !== undefined) evidence.writes = writtenTransition(result);
  }
  return evidence;
}

/** The marker the SDK records for each completed local activity. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function writtenTransition(value: unknown): WorkflowEventEvidence['writes'] {
  const transition = asRecord(value);
  return {
    to: asString(transition.to),
    at: asString(transition.at),
    eventId: asString(transition.eventId),
  };
}

/** Workflow-task events are the SDK's own bookkeeping, not facts about the booking: left out. */
const isBookkeeping = (type: string) => type.startsWith('WorkflowTask');

/** fetchHistory reports an unknown workflow as a bare gRPC NOT_FOUND, not as a typed error. */
const GRPC_NOT_FOUND = 5;
const isNotFound = (error: unknown) =>
  isGrpcServiceError(error) && Number(error.code) === GRPC_NOT_FOUND;

async function collectWorkflowEvidence(
  client: Client,
  workflowId: string,
): Promise<WorkflowEventEvidence[] | undefined> {
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .map((event) => workflowEventEvidence(client, event))
      .filter((event) => !isBookkeeping(event.type));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || isNotFound(error)) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Mongo

async function collectMongoEvidence(bookingId: string): Promise<AuditEvidence['mongo']> {
  const booking = await findBookingById(bookingId);
  if (!booking) return undefined;
  return {
    status: booking.status,
    history: booking.history.map((h) => ({
      from: h.from ?? null,
      to: h.to,
      at: h.at.toISOString(),
      eventId: h.eventId ?? undefined,
      sourceKind: asString(asRecord(h.source).kind),
    })),
    ignoredDecisions: (booking.ignoredDecisions as unknown[]).map((raw) => {
      const ignored = asRecord(raw);
      return {
        eventId: asString(ignored.eventId),
        status: asString(ignored.status),
        ignoreReason: asString(ignored.ignoreReason),
        receivedAt: asString(ignored.receivedAt),
        sourceKind: asString(asRecord(ignored.source).kind),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Verdict and time line (pure)

const sameInstant = (a: string | undefined, b: string) =>
  a !== undefined && new Date(a).getTime() === new Date(b).getTime();

function transitionChecks(evidence: AuditEvidence): ConsistencyCheck[] {
  const { mongo, workflow = [], kafka } = evidence;
  const decisionsOnKafka = new Set(
    kafka.filter((m) => m.type === 'booking-status-updated').map((m) => m.eventId),
  );
  const checks: ConsistencyCheck[] = [];
  for (const t of mongo?.history ?? []) {
    const label = `${t.from ?? '(new)'} -> ${t.to} at ${t.at}`;
    // The workflow is the only writer: each stored transition is one it asked an activity to write.
    const writer = t.from === null ? 'recordPendingBooking' : 'recordTransition';
    const written = workflow.some(
      (e) => e.activityType === writer && e.writes?.to === t.to && sameInstant(e.writes.at, t.at),
    );
    checks.push({
      check: `transition ${label} was written by the workflow`,
      ok: written,
      detail: written ? undefined : `no ${writer} activity for it in the workflow history`,
    });
    if (t.eventId !== undefined) {
      const signalled = workflow.some((e) => e.decision?.eventId === t.eventId);
      checks.push({
        check: `decision ${t.eventId} (${t.to}) reached the workflow as a signal`,
        ok: signalled,
        detail: signalled ? undefined : 'no signal with that eventId in the workflow history',
      });
    }
  }
  const fromKafka = [
    ...(mongo?.history ?? []).filter((t) => t.sourceKind === 'kafka').map((t) => t.eventId),
    ...(mongo?.ignoredDecisions ?? [])
      .filter((d) => d.sourceKind === 'kafka')
      .map((d) => d.eventId),
  ];
  for (const eventId of new Set(fromKafka)) {
    const onTopic = eventId !== undefined && decisionsOnKafka.has(eventId);
    checks.push({
      check: `decision ${eventId ?? '(no eventId)'} is on booking-updates`,
      ok: onTopic,
      detail: onTopic
        ? undefined
        : 'Mongo says it came from Kafka but no such message is keyed by this booking',
    });
  }
  return checks;
}

export function judgeConsistency(evidence: AuditEvidence): ConsistencyCheck[] {
  const created = evidence.kafka.some(
    (m) => m.type === 'booking-created' && !m.topic.endsWith('.DLT'),
  );
  return [
    { check: 'the booking is in Mongo', ok: evidence.mongo !== undefined },
    {
      check: `the workflow ${evidence.workflowId} exists`,
      ok: evidence.workflow !== undefined,
      detail: evidence.workflow ? undefined : 'not found (never started, or past retention)',
    },
    { check: 'booking-created was published', ok: created },
    ...transitionChecks(evidence),
  ];
}

function describeKafka(m: KafkaEvidence): string {
  const parts = [`${m.topic}[${m.partition}]@${m.offset}`, m.type ?? '(not valid JSON)'];
  if (m.status) parts.push(m.status);
  if (m.eventId) parts.push(`eventId=${m.eventId}`);
  if (m.deadLetterReason) parts.push(`dead-letter=${m.deadLetterReason}`);
  if (m.redrivenFrom) parts.push(`redriven-from=${m.redrivenFrom}`);
  if (m.origin === 'api') parts.push('(issued by the API)');
  if (m.origin === 'topic-only') parts.push('(NOT issued by the API: produced onto the topic)');
  return parts.join(' ');
}

function describeWorkflowEvent(e: WorkflowEventEvidence): string {
  const parts = [`#${e.id} ${e.type}`];
  if (e.signalName) parts.push(e.signalName);
  if (e.decision?.status) parts.push(e.decision.status);
  if (e.decision?.eventId) parts.push(`eventId=${e.decision.eventId}`);
  if (e.activityType) parts.push(e.activityType);
  if (e.writes?.to) parts.push(`-> ${e.writes.to}`);
  return parts.join(' ');
}

export function buildTimeline(evidence: AuditEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...evidence.kafka.map((m) => ({ at: m.at, source: 'kafka' as const, what: describeKafka(m) })),
    ...(evidence.workflow ?? []).map((e) => ({
      at: e.at,
      source: 'temporal' as const,
      what: describeWorkflowEvent(e),
    })),
    ...(evidence.mongo?.history ?? []).map((t) => ({
      at: t.at,
      source: 'mongo' as const,
      what: `history ${t.from ?? '(new)'} -> ${t.to}${t.eventId ? ` eventId=${t.eventId}` : ''} (${t.sourceKind ?? '?'})`,
    })),
    ...(evidence.mongo?.ignoredDecisions ?? []).map((d) => ({
      at: d.receivedAt ?? '',
      source: 'mongo' as const,
      what: `ignored ${d.status ?? '?'} (${d.ignoreReason ?? '?'}) eventId=${d.eventId ?? '?'}`,
    })),
  ];
  // Stable sort: equal instants keep source order (Kafka, then Temporal, then Mongo).
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Decisions the saga applied that the API never issued. Not an inconsistency (a seed-conformant
 * owner service may produce them), but an operator should know who else writes the topic.
 */
export function topicOnlyDecisionsApplied(evidence: AuditEvidence): string[] {
  const applied = new Set((evidence.mongo?.history ?? []).map((t) => t.eventId));
  return evidence.kafka
    .filter((m) => m.origin === 'topic-only' && applied.has(m.eventId))
    .map(
      (m) =>
        `decision ${m.eventId ?? '?'} (${m.status ?? '?'}) at ${m.topic}[${m.partition}]@${m.offset} ` +
        'was applied but not issued by the StaySaga API',
    );
}

export function buildAuditReport(evidence: AuditEvidence): AuditReport {
  const checks = judgeConsistency(evidence);
  return {
    ...evidence,
    timeline: buildTimeline(evidence),
    consistent: checks.every((c) => c.ok),
    checks,
    warnings: topicOnlyDecisionsApplied(evidence),
  };
}

/** One row per fact in time order; the source column says which of the three records it. */
export function formatAuditReport(report: AuditReport): string {
  const rows = report.timeline.map((e) => `${e.at.padEnd(24)}  ${e.source.padEnd(8)}  ${e.what}`);
  const verdict = report.checks.map(
    (c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}${c.detail ? `: ${c.detail}` : ''}`,
  );
  const mongoStatus = report.mongo?.status ?? '(not in Mongo)';
  return [
    `Booking ${report.bookingId} (workflow ${report.workflowId}), status in Mongo: ${mongoStatus}`,
    `${'time'.padEnd(24)}  ${'source'.padEnd(8)}  what`,
    ...rows,
    '',
    `Verdict: ${report.consistent ? 'CONSISTENT' : 'INCONSISTENT'}`,
    ...verdict,
    ...report.warnings.map((w) => `  WARN ${w}`),
  ].join('\n');
}

export async function auditBooking(deps: AuditDeps, bookingId: string): Promise<AuditReport> {
  const workflowId = bookingWorkflowId(bookingId);
  const [kafka, workflow, mongo] = await Promise.all([
    collectKafkaEvidence(deps, bookingId).then((found) => withDecisionOrigins(found, deps.topics)),
    collectWorkflowEvidence(deps.temporal, workflowId),
    collectMongoEvidence(bookingId),
  ]);
  return buildAuditReport({ bookingId, workflowId, kafka, workflow, mongo });
}
