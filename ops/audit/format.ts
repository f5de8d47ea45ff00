/** An audit as people read it: one time line of the three sources, then the verdict. */
import type {
  AuditEvidence,
  AuditReport,
  KafkaEvidence,
  TimelineEntry,
  WorkflowEventEvidence,
} from './evidence.js';

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
