/** Whether the three sources tell the same story (pure, so the rules are unit-tested). */
import type { AuditEvidence, AuditReport, ConsistencyCheck } from './evidence.js';
import { buildTimeline } from './format.js';

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
