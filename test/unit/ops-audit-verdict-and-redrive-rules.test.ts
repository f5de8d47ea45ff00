/**
 * The pure judgement parts of the operators' tools: when an audit calls a booking consistent,
 * and which dead letters a re-drive sends back, with which headers, from where.
 */
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  buildAuditReport,
  eventTypeName,
  formatAuditReport,
  type AuditEvidence,
} from '../../ops/audit/index.js';
import { redriveDecision, redrivenHeaders, redriveRanges } from '../../ops/redrive-dlt.js';

const BOOKING = '6b05f48681132b342d127903';
const EVENT = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

function approvedBookingEvidence(): AuditEvidence {
  return {
    bookingId: BOOKING,
    workflowId: `booking-${BOOKING}`,
    kafka: [
      {
        topic: 'booking-requests',
        partition: 1,
        offset: '3',
        at: '2027-01-01T10:00:00.100Z',
        type: 'booking-created',
      },
      {
        topic: 'booking-updates',
        partition: 2,
        offset: '7',
        at: '2027-01-01T10:05:00.000Z',
        type: 'booking-status-updated',
        status: 'ACCEPTED',
        eventId: EVENT,
      },
    ],
    workflow: [
      { id: 1, at: '2027-01-01T10:00:00.000Z', type: 'WorkflowExecutionStarted' },
      {
        id: 5,
        at: '2027-01-01T10:00:00.050Z',
        type: 'ActivityTaskScheduled',
        activityType: 'recordPendingBooking',
        writes: { to: 'PENDING', at: '2027-01-01T10:00:00.040Z' },
      },
      {
        id: 20,
        at: '2027-01-01T10:05:00.100Z',
        type: 'WorkflowExecutionSignaled',
        signalName: 'decideBooking',
        decision: { status: 'ACCEPTED', eventId: EVENT },
      },
      {
        id: 23,
        at: '2027-01-01T10:05:00.200Z',
        type: 'ActivityTaskScheduled',
        activityType: 'recordTransition',
        writes: { to: 'ACCEPTED', at: '2027-01-01T10:05:00.150Z', eventId: EVENT },
      },
    ],
    mongo: {
      status: 'ACCEPTED',
      history: [
        { from: null, to: 'PENDING', at: '2027-01-01T10:00:00.040Z', sourceKind: 'api' },
        {
          from: 'PENDING',
          to: 'ACCEPTED',
          at: '2027-01-01T10:05:00.150Z',
          eventId: EVENT,
          sourceKind: 'kafka',
        },
      ],
      ignoredDecisions: [],
    },
  };
}

describe('the audit verdict', () => {
  it('is consistent when every source tells the same story, and lists it in time order', () => {
    const report = buildAuditReport(approvedBookingEvidence());
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.consistent).toBe(true);
    expect(report.timeline.map((e) => e.source)).toEqual([
      'temporal',
      'mongo',
      'temporal',
      'kafka',
      'kafka',
      'temporal',
      'mongo',
      'temporal',
    ]);
  });

  it('flags a transition in Mongo the workflow never wrote', () => {
    const evidence = approvedBookingEvidence();
    evidence.mongo?.history.push({
      from: 'ACCEPTED',
      to: 'CANCELLED',
      at: '2027-01-02T00:00:00.000Z',
      sourceKind: 'api',
    });
    const report = buildAuditReport(evidence);
    expect(report.consistent).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual([
      'transition ACCEPTED -> CANCELLED at 2027-01-02T00:00:00.000Z was written by the workflow',
    ]);
  });

  it('flags a Kafka decision that is not on booking-updates and a missing booking-created', () => {
    const evidence = approvedBookingEvidence();
    evidence.kafka = [];
    const failed = buildAuditReport(evidence)
      .checks.filter((c) => !c.ok)
      .map((c) => c.check);
    expect(failed).toEqual([
      'booking-created was published',
      `decision ${EVENT} is on booking-updates`,
    ]);
  });

  it('warns of an applied decision the API never issued, without calling it inconsistent', () => {
    const viaApi = approvedBookingEvidence();
    viaApi.kafka[1]!.origin = 'api';
    expect(buildAuditReport(viaApi).warnings).toEqual([]);
    const forged = approvedBookingEvidence();
    forged.kafka[1]!.origin = 'topic-only';
    const report = buildAuditReport(forged);
    expect(report.consistent).toBe(true);
    expect(report.warnings).toEqual([
      `decision ${EVENT} (ACCEPTED) at booking-updates[2]@7 was applied but not issued by the StaySaga API`,
    ]);
    expect(formatAuditReport(report)).toContain(
      `eventId=${EVENT} (NOT issued by the API: produced onto the topic)`,
    );
  });

  it('names history event types as the Temporal UI does', () => {
    expect(eventTypeName(1)).toBe('WorkflowExecutionStarted');
    expect(eventTypeName(10)).toBe('ActivityTaskScheduled');
  });
});

describe('re-driving dead letters', () => {
  const dead = { originalTopic: 'booking-updates', reason: 'unknown-booking', key: BOOKING };

  it('re-drives what matches every filter given', () => {
    expect(redriveDecision(dead, 'booking-updates', {})).toBe('redrive');
    expect(
      redriveDecision(dead, 'booking-updates', { reason: 'unknown-booking', bookingId: BOOKING }),
    ).toBe('redrive');
    expect(redriveDecision(dead, 'booking-updates', { reason: 'malformed-json' })).toBe(
      'filtered-out',
    );
    expect(
      redriveDecision(dead, 'booking-updates', { bookingId: '6b05f48681132b342d127904' }),
    ).toBe('filtered-out');
  });

  it('never publishes a record that did not come from the topic being re-driven', () => {
    expect(
      redriveDecision({ ...dead, originalTopic: 'booking-requests' }, 'booking-updates', {}),
    ).toBe('foreign');
    expect(redriveDecision({ ...dead, originalTopic: undefined }, 'booking-updates', {})).toBe(
      'foreign',
    );
  });

  it('keeps the message headers, drops the dead-letter ones and says where it came from', () => {
    const message = {
      headers: {
        'message-type': Buffer.from('booking-status-updated'),
        'x-dead-letter-reason': Buffer.from('unknown-booking'),
        'x-dead-letter-detail': Buffer.from('no workflow'),
        'x-original-topic': Buffer.from('booking-updates'),
        'x-original-partition': Buffer.from('0'),
        'x-original-offset': Buffer.from('9'),
        'x-consumer-group': Buffer.from('staysaga-booking-updates-bridge'),
      },
    } as unknown as KafkaMessage;
    expect(redrivenHeaders(message, 'booking-updates.DLT:1:4')).toEqual({
      'message-type': Buffer.from('booking-status-updated'),
      'x-redriven-from': 'booking-updates.DLT:1:4',
    });
  });

  it('resumes each partition at the committed offset, or its oldest record', () => {
    const marks = [
      { partition: 0, low: 0n, high: 4n },
      { partition: 1, low: 6n, high: 9n },
    ];
    expect(
      redriveRanges(
        'booking-updates.DLT',
        marks,
        new Map([
          [0, 2n],
          [1, 1n],
        ]),
      ),
    ).toEqual([
      { topic: 'booking-updates.DLT', partition: 0, start: 2n, end: 4n },
      { topic: 'booking-updates.DLT', partition: 1, start: 6n, end: 9n },
    ]);
  });
});
