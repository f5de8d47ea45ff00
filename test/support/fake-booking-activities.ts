import type { BookingActivities } from '../../workflows/booking-definitions.js';

/**
 * In-memory stand-ins for the saga's activities, for workflow tests on the time-skipping
 * server only: they record every call so tests can assert what the saga asked for, in order.
 */
export function fakeBookingActivities(options: { takenPropertyIds?: string[] } = {}) {
  const calls: { name: keyof BookingActivities; input: unknown }[] = [];
  const record = (name: keyof BookingActivities, input: unknown) => calls.push({ name, input });
  const activities: BookingActivities = {
    async holdNights(input) {
      record('holdNights', input);
      if (options.takenPropertyIds?.includes(input.propertyId)) {
        return { held: false, conflictingNights: [input.checkIn.slice(0, 10)] };
      }
      return { held: true };
    },
    async releaseNights(input) {
      record('releaseNights', input);
      return 1;
    },
    async recordPendingBooking(input) {
      record('recordPendingBooking', input);
      return input.transition;
    },
    async publishBookingCreated(input) {
      record('publishBookingCreated', input);
    },
    async recordTransition(input) {
      record('recordTransition', input);
      return input.transition;
    },
    async recordIgnoredDecision(input) {
      record('recordIgnoredDecision', input);
    },
    async notifyTraveler(input) {
      record('notifyTraveler', input);
    },
  };
  const callsFor = (bookingId: string) =>
    calls.filter((c) => (c.input as { bookingId?: string }).bookingId === bookingId);
  return { activities, calls, callsFor };
}
