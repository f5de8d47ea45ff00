/** Workflow ids are derived from booking ids so any component can find a booking's saga. */
export function bookingWorkflowId(bookingId: string): string {
  return `booking-${bookingId}`;
}

/** An ObjectId as every id of ours is written: 24 lower-case hex digits. */
export const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;
