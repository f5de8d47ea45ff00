/**
 * The operators' tools on the real stack, against one approved booking of their own: replaying
 * both topics changes nothing, re-driving dead letters sends back exactly the chosen ones, the
 * audit tells one consistent story, and visibility finds the booking by status and property.
 * Other test files share the stack, so every assertion is scoped to this file's own ids.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { Booking, Notification } from '../../db/models.js';
import { bookingWorkflowId } from '../../domain/ids.js';
import { createKafka } from '../../kafka/client.js';
import { BookingEventPublisher } from '../../kafka/publisher.js';
import { auditBooking, formatAuditReport } from '../../ops/audit/index.js';
import { listBookings } from '../../ops/bookings.js';
import { runOps } from '../../ops/cli.js';
import { redriveDeadLetters } from '../../ops/redrive-dlt.js';
import { replayTopic } from '../../ops/replay.js';
import { bookingStatusQuery } from '../../workflows/booking-definitions.js';
import {
  api,
  createProperty,
  daysFromNow,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import {
  connectTemporalClient,
  connectTestDatabase,
  disconnectTestDatabase,
} from '../support/stack-clients.js';
import { TopicRecorder, type RecordedMessage } from '../support/topic-recorder.js';
import { createNotificationChannel } from '../../notifications/channel.js';

const topics = { requests: 'booking-requests', updates: 'booking-updates' };
const log = createLogger('ops-test', 'warn');

let temporal: Client;
let kafka: Kafka;
let publisher: BookingEventPublisher;
let recorder: TopicRecorder;
let owner: Actor;
let traveler: Actor;
let property: { id: string; name: string };
let bookingId: string;
let decisionEventId: string;
let bookedBefore: Date;
let acceptedBy: Date;

async function workflowState(id: string) {
  return temporal.workflow.getHandle(bookingWorkflowId(id)).query(bookingStatusQuery);
}

async function requestAndApproveBooking(): Promise<void> {
  property = await createProperty(owner, { name: `Ops Audit Cabin ${randomUUID().slice(0, 8)}` });
  bookedBefore = new Date(Date.now() - 1000);
  const created = await requestBooking(traveler, {
    propertyId: property.id,
    checkIn: daysFromNow(120),
    checkOut: daysFromNow(123),
    guests: 2,
  });
  expect(created.status).toBe(201);
  bookingId = created.body.booking.id;
  const approved = await api(`/api/owners/bookings/${bookingId}/approve`, {
    method: 'PUT',
    token: owner.token,
  });
  expect(approved.status).toBe(202);
  decisionEventId = approved.body.decision.eventId;
  await eventually(async () =>
    expect((await Booking.findById(bookingId).lean())?.status).toBe('ACCEPTED'),
  );
  acceptedBy = new Date(Date.now() + 1000);
}

beforeAll(async () => {
  await connectTestDatabase();
  temporal = await connectTemporalClient();
  kafka = createKafka(`ops-test-${randomUUID()}`, inject('kafkaBrokers').split(','), log);
  publisher = await BookingEventPublisher.connect(kafka, topics);
  recorder = await TopicRecorder.start([
    'booking-requests',
    'booking-updates',
    'booking-updates.DLT',
  ]);
  [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
  await requestAndApproveBooking();
});

afterAll(async () => {
  await recorder?.stop();
  await publisher?.disconnect();
  await temporal?.connection.close();
  await disconnectTestDatabase();
});

const notifications = createNotificationChannel({ log });
const deps = () => ({ kafka, temporal, topics, log, publisher, notifications });
const keyedBy = (key: string) => (m: RecordedMessage) => m.key === key;

describe('replay', () => {
  it('re-delivers booking-updates through the bridge handler and the saga applies nothing new', async () => {
    const before = await Booking.findById(bookingId).lean();
    const transitionsBefore = (await workflowState(bookingId)).transitions.length;
    const decision = await recorder.waitFor('booking-updates', keyedBy(bookingId));

    const summary = await replayTopic(deps(), {
      topic: 'booking-updates',
      from: { kind: 'time', at: bookedBefore },
      until: acceptedBy,
    });

    const partition = summary.partitions.find((p) => p.partition === decision.partition);
    expect(partition?.read).toBeGreaterThanOrEqual(1);
    expect(summary.totals.delivered).toBeGreaterThanOrEqual(1);
    // The throwaway consumer group is gone once the replay is done.
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.listGroups();
    await admin.disconnect();
    expect(groups.map((g) => g.groupId)).not.toContain(summary.groupId);
    expect(summary.totals.read).toBe(
      summary.totals.delivered + summary.totals.invalid + summary.totals.undeliverable,
    );
    // The replayed decision reaches the saga, which records it as a duplicate and applies nothing.
    await eventually(async () => {
      const state = await workflowState(bookingId);
      expect(state.ignoredDecisions).toContainEqual(
        expect.objectContaining({ eventId: decisionEventId, ignoreReason: 'duplicate' }),
      );
      expect(state.transitions).toHaveLength(transitionsBefore);
    });
    const after = await Booking.findById(bookingId).lean();
    expect(after?.status).toBe('ACCEPTED');
    expect(after?.history).toEqual(before?.history);
    expect(after?.history.map((h) => h.to)).toEqual(['PENDING', 'ACCEPTED']);
  });

  it('re-delivers booking-requests from an offset and the owner is still notified exactly once', async () => {
    const request = await recorder.waitFor('booking-requests', keyedBy(bookingId));

    const summary = await replayTopic(deps(), {
      topic: 'booking-requests',
      from: { kind: 'offset', offset: BigInt(request.offset), partition: request.partition },
    });

    expect(summary.partitions.map((p) => p.partition)).toEqual([request.partition]);
    expect(summary.partitions[0]?.from).toBe(request.offset);
    expect(summary.totals.delivered).toBeGreaterThanOrEqual(1);
    expect(
      await Notification.countDocuments({
        userId: new mongoose.Types.ObjectId(owner.id),
        bookingId: new mongoose.Types.ObjectId(bookingId),
        kind: 'booking-requested',
      }),
    ).toBe(1);
  });
});

describe('redrive-dlt', () => {
  it('re-drives only the dead letters it is asked for, once, with x-redriven-from', async () => {
    // A malformed value keyed by a booking id: the bridge dead-letters it as malformed-json.
    const garbageKey = new mongoose.Types.ObjectId().toHexString();
    await publisher.sendRaw('booking-updates', Buffer.from(garbageKey), Buffer.from('{oops'), {});
    const garbage = await recorder.waitFor('booking-updates.DLT', keyedBy(garbageKey));
    expect(garbage.headers['x-dead-letter-reason']).toBe('malformed-json');

    // A reason this dead letter does not have: nothing matches, nothing goes out.
    const otherReason = await redriveDeadLetters(deps(), {
      topic: 'booking-updates',
      reason: 'booking-finished',
      bookingId: garbageKey,
      dryRun: false,
    });
    expect(otherReason.redriven).toBe(0);
    expect(otherReason.skippedByFilter).toBeGreaterThanOrEqual(1);
    expect(recorder.matching('booking-updates', keyedBy(garbageKey))).toHaveLength(1);

    // A valid decision for a booking that has no saga: dead-lettered as unknown-booking.
    const unknownBooking = new mongoose.Types.ObjectId().toHexString();
    await publisher.bookingStatusUpdated({
      type: 'booking-status-updated',
      bookingId: unknownBooking,
      status: 'ACCEPTED',
      travelerId: traveler.id,
      ownerId: owner.id,
      eventId: randomUUID(),
      version: 1,
      timestamp: new Date().toISOString(),
    });
    const dead = await recorder.waitFor('booking-updates.DLT', keyedBy(unknownBooking));
    expect(dead.headers['x-dead-letter-reason']).toBe('unknown-booking');

    const redriven = await redriveDeadLetters(deps(), {
      topic: 'booking-updates',
      reason: 'unknown-booking',
      bookingId: unknownBooking,
      dryRun: false,
    });
    const from = `booking-updates.DLT:${dead.partition}:${dead.offset}`;
    expect(redriven.redriven).toBe(1);
    expect(redriven.deadLetters).toEqual([
      { from, key: unknownBooking, reason: 'unknown-booking' },
    ]);

    // Back on booking-updates, unchanged, saying where from; the bridge dead-letters it again.
    await eventually(() =>
      expect(recorder.matching('booking-updates', keyedBy(unknownBooking))).toHaveLength(2),
    );
    const again = recorder.matching(
      'booking-updates',
      keyedBy(unknownBooking),
    )[1] as RecordedMessage;
    expect(again.raw).toBe(dead.raw);
    expect(again.headers['x-redriven-from']).toBe(from);
    expect(again.headers['x-dead-letter-reason']).toBeUndefined();
    await eventually(() =>
      expect(recorder.matching('booking-updates.DLT', keyedBy(unknownBooking))).toHaveLength(2),
    );
    const bounced = recorder.matching(
      'booking-updates.DLT',
      keyedBy(unknownBooking),
    )[1] as RecordedMessage;
    expect(bounced.headers).toMatchObject({
      'x-redriven-from': from,
      'x-dead-letter-reason': 'unknown-booking',
    });

    // The first dead letter is never re-driven twice; a dry run sees only the bounced one and
    // moves nothing, so a second dry run sees it again.
    for (let run = 0; run < 2; run++) {
      const dry = await redriveDeadLetters(deps(), {
        topic: 'booking-updates',
        bookingId: unknownBooking,
        dryRun: true,
      });
      expect(dry.deadLetters.map((d) => d.from)).toEqual([
        `booking-updates.DLT:${bounced.partition}:${bounced.offset}`,
      ]);
    }
    expect(recorder.matching('booking-updates', keyedBy(unknownBooking))).toHaveLength(2);
  });
});

describe('audit', () => {
  it('shows the booking in Kafka, Temporal and Mongo and judges them consistent', async () => {
    const report = await auditBooking(deps(), bookingId);

    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.consistent).toBe(true);
    expect(report.kafka).toContainEqual(
      expect.objectContaining({ topic: 'booking-requests', type: 'booking-created' }),
    );
    expect(report.kafka).toContainEqual(
      expect.objectContaining({
        topic: 'booking-updates',
        type: 'booking-status-updated',
        status: 'ACCEPTED',
        eventId: decisionEventId,
      }),
    );
    expect(report.workflow).toContainEqual(
      expect.objectContaining({
        type: 'WorkflowExecutionSignaled',
        signalName: 'decideBooking',
        decision: { status: 'ACCEPTED', eventId: decisionEventId },
      }),
    );
    expect(report.workflow).toContainEqual(
      expect.objectContaining({
        activityType: 'recordTransition',
        writes: expect.objectContaining({ to: 'ACCEPTED' }),
      }),
    );
    expect(report.mongo?.history.map((h) => h.to)).toEqual(['PENDING', 'ACCEPTED']);
    const times = report.timeline.map((e) => e.at);
    expect(times).toEqual([...times].sort());
  });

  it('tells a decision issued through the API from one that only appeared on the topic', async () => {
    const api202 = await auditBooking(deps(), bookingId);
    const issued = api202.kafka.find((m) => m.eventId === decisionEventId);
    expect(issued?.origin).toBe('api');
    expect(api202.warnings).toEqual([]);

    // Someone who reached the broker writes the owner's decision themselves, seed format.
    const forgedBooking = await requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(140),
      checkOut: daysFromNow(142),
      guests: 2,
    });
    const forgedId = forgedBooking.body.booking.id as string;
    await publisher.sendRaw(
      'booking-updates',
      Buffer.from(forgedId),
      Buffer.from(
        JSON.stringify({
          type: 'booking-status-updated',
          bookingId: forgedId,
          status: 'REJECTED',
          travelerId: traveler.id,
          ownerId: owner.id,
          timestamp: new Date().toISOString(),
        }),
      ),
      {},
    );
    await eventually(async () =>
      expect((await Booking.findById(forgedId).lean())?.status).toBe('REJECTED'),
    );
    // Mongo may show the status a moment before the history holds the local activity's marker.
    const report = await eventually(async () => {
      const audited = await auditBooking(deps(), forgedId);
      expect(audited.checks.filter((c) => !c.ok)).toEqual([]);
      return audited;
    });
    const forged = report.kafka.find((m) => m.topic === 'booking-updates');
    expect(forged).toMatchObject({ status: 'REJECTED', origin: 'topic-only' });
    // The eventId the bridge derived for the seed-format message is the one the saga applied.
    expect(report.mongo?.history.at(-1)?.eventId).toBe(forged?.eventId);
    expect(report.consistent).toBe(true);
    expect(report.warnings).toHaveLength(1);
    expect(formatAuditReport(report)).toMatch(/WARN decision .* was applied but not issued/);
  });

  it('calls a booking nobody knows inconsistent instead of failing', async () => {
    const report = await auditBooking(deps(), new mongoose.Types.ObjectId().toHexString());
    expect(report.consistent).toBe(false);
    expect(report.workflow).toBeUndefined();
    expect(report.mongo).toBeUndefined();
    expect(report.kafka).toEqual([]);
  });
});

describe('bookings', () => {
  it('finds the accepted booking by status and property through visibility, with its memo', async () => {
    const found = await eventually(async () => {
      const { bookings } = await listBookings(temporal, {
        status: 'ACCEPTED',
        propertyId: property.id,
        limit: 10,
      });
      expect(bookings).toHaveLength(1);
      return bookings[0];
    });
    expect(found).toMatchObject({
      workflowId: bookingWorkflowId(bookingId),
      status: 'ACCEPTED',
      propertyId: property.id,
      propertyName: property.name,
      checkIn: daysFromNow(120),
    });
    const { bookings: pending } = await listBookings(temporal, {
      status: 'PENDING',
      propertyId: property.id,
      limit: 10,
    });
    expect(pending).toEqual([]);
  });

  it('prints the same list from the command line', async () => {
    Object.assign(process.env, { TEMPORAL_ADDRESS: inject('temporalAddress') });
    let printed = '';
    const code = await runOps(['bookings', '--status', 'ACCEPTED', '--property', property.id], {
      write: (text: string) => (printed += text),
    });
    expect(code).toBe(0);
    expect(printed).toContain(bookingWorkflowId(bookingId));
    expect(printed).toContain(property.name);
    expect(await runOps(['bookings', '--property', 'x" OR 1=1'], { write: () => true })).toBe(2);
  });
});
