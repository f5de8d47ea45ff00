/** Workflow ids are derived from booking ids so any component can find a booking's saga. */
export function bookingWorkflowId(bookingId: string): string {
  return `booking-${bookingId}`;
}
