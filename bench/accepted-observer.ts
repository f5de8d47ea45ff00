/**
 * How the full scenario learns that a booking's ACCEPTED status is written to Mongo.
 *
 * - `AcceptedTap` (used by `npm run bench`, where the worker runs in the bench's own process):
 *   an activity interceptor on the booking worker reports the moment the ACCEPTED write was
 *   acknowledged, so the measurement costs Mongo nothing and has no polling delay.
 * - `AcceptedPoll` (used when the system runs in another process, as in the test suite): reads
 *   each waited-on booking by `_id`. FerretDB serves only `{_id: value}` filters from its
 *   primary key; an `$in` over ids scans the whole collection, which is what the first version of
 *   this poll did, costing more Mongo CPU than the bookings themselves.
 */
import type { ActivityInterceptorsFactory, WorkerInterceptors } from '@temporalio/worker';
import { performance } from 'node:perf_hooks';
import { Booking } from '../db/models.js';

export interface AcceptedObserver {
  /** Resolves with performance.now() at which the booking was seen ACCEPTED. */
  waitFor(bookingId: string, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** The bookings waited on, each with its timeout. */
class WaitList {
  private readonly waiting = new Map<string, (at: number) => void>();

  add(bookingId: string, timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(bookingId);
        reject(new Error(`booking ${bookingId} not ACCEPTED after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(bookingId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  ids(): string[] {
    return [...this.waiting.keys()];
  }

  seen(bookingId: string, at: number): void {
    this.waiting.get(bookingId)?.(at);
    this.waiting.delete(bookingId);
  }
}

interface RecordTransitionArgs {
  bookingId?: string;
  transition?: { to?: string };
}

export class AcceptedTap implements AcceptedObserver {
  private readonly list = new WaitList();

  /** Pass to the booking worker (`runComponentsOn(..., { workerInterceptors })`). */
  readonly workerInterceptors: WorkerInterceptors = { activity: [this.interceptor()] };

  /** Call before the decision is sent: an ACCEPTED write nobody waits for is not recorded. */
  waitFor(bookingId: string, timeoutMs = 60_000): Promise<number> {
    return this.list.add(bookingId, timeoutMs);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  private interceptor(): ActivityInterceptorsFactory {
    return (ctx) => ({
      inbound: {
        execute: async (input, next) => {
          const result = await next(input);
          const args = input.args[0] as RecordTransitionArgs | undefined;
          if (ctx.info.activityType === 'recordTransition' && args?.transition?.to === 'ACCEPTED') {
            this.list.seen(args.bookingId as string, performance.now());
          }
          return result;
        },
      },
    });
  }
}

/** Reads every waited-on booking by `_id`, one round at a time, `intervalMs` apart. */
export class AcceptedPoll implements AcceptedObserver {
  private readonly list = new WaitList();
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly intervalMs = 10) {}

  waitFor(bookingId: string, timeoutMs = 60_000): Promise<number> {
    this.loop ??= this.run();
    return this.list.add(bookingId, timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await Promise.all(this.list.ids().map((id) => this.check(id)));
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  private async check(bookingId: string): Promise<void> {
    try {
      const booking = await Booking.findById(bookingId).select({ status: 1 }).lean();
      if (booking?.status === 'ACCEPTED') this.list.seen(bookingId, performance.now());
    } catch {
      // A failed read is retried next round; a booking that never shows times out.
    }
  }
}
