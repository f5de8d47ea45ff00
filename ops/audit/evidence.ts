/** What an audit gathers about one booking from each of its three sources of truth. */
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { BookingTopics } from '../../kafka/topics.js';

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

export const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
