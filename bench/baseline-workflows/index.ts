/**
 * The bench's floor: a workflow of the same shape as the booking saga (activities before the
 * wait, an update that answers once they are done, one decision signal raced against a deadline
 * timer, one activity after the decision) whose activities do nothing. Whatever it costs is
 * Temporal's own cost on this machine, not StaySaga's. Like the saga's Mongo writes, these are
 * local activities.
 */
import {
  condition,
  defineSignal,
  defineUpdate,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { BaselineActivities } from './activities.js';

export const baselineDecisionSignal = defineSignal<[{ status: 'ACCEPTED' | 'REJECTED' }]>('decide');
export const baselineHeldUpdate = defineUpdate<'PENDING'>('awaitHeld');

const { hold, record, transition } = proxyLocalActivities<BaselineActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export interface BaselineInput {
  id: string;
  deadlineMs: number;
}

export async function baselineSagaWorkflow(input: BaselineInput): Promise<string> {
  let held = false;
  let decision: { status: 'ACCEPTED' | 'REJECTED' } | undefined;
  setHandler(baselineHeldUpdate, async () => {
    await condition(() => held);
    return 'PENDING' as const;
  });
  setHandler(baselineDecisionSignal, (d) => {
    decision ??= d;
  });
  // Mirrors holdNights + recordPendingBooking, which gate the booking request's answer.
  await hold(input.id);
  await record(input.id);
  held = true;
  const decided = await condition(() => decision !== undefined, input.deadlineMs);
  const status = decided && decision ? decision.status : 'EXPIRED';
  // Mirrors recordTransition, which makes the decision visible.
  await transition(input.id, status);
  return status;
}
