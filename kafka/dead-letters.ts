/**
 * Dead letters, in one place: the topic each booking topic's refusals go to, the headers a dead
 * letter carries (why, and where it came from), the reasons a consumer gives, and the header a
 * re-driven message carries back.
 */

/** `<topic>.DLT`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.DLT`;
}

/** Why a consumer refused a message; every one of these is produced somewhere. */
export const DEAD_LETTER_REASONS = [
  'malformed-json',
  'schema-violation',
  'unsupported-version',
  'unknown-booking',
  'booking-finished',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** The headers a consumer adds to the message it dead-letters. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-dead-letter-reason',
  detail: 'x-dead-letter-detail',
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  consumerGroup: 'x-consumer-group',
} as const;

/** Set on a message re-published from a DLT: `<dlt>:<partition>:<offset>` it came from. */
export const REDRIVEN_FROM_HEADER = 'x-redriven-from';
