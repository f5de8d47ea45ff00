// The worker bundles this file: it lists every workflow the booking task queue runs.
export { bookingWorkflow } from './booking.js';
