/** The Temporal side of an audit: the booking's workflow history, bookkeeping left out. */
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import protos, { type google, type temporal } from '@temporalio/proto';
import { asRecord, asString, type WorkflowEventEvidence } from './evidence.js';

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

export async function collectWorkflowEvidence(
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
