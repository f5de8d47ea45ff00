/**
 * What each signed-in user sees live (`GET /api/events`), inside one API process: the last hour
 * of every user's events, kept for replay, and the fan-out to the user's open streams.
 *
 * The events come from the live-events topic (kafka/live-events.ts), one message per recipient
 * keyed by userId, so all of a user's events are on one partition in log order. An event's id
 * is its place in that log, `<partition>-<offset>`: the same on every API replica, since every
 * replica reads the whole topic. A browser that reconnects with `Last-Event-ID: 2-1041`, to any
 * replica, gets the user's events on partition 2 after offset 1041 that the replica holds, and
 * is told (`incomplete`) when some may be gone: older than the replica read, or dropped by a
 * bound. An event is held for `windowMs` after it was produced, at most `maxPerUser` per user
 * and `maxEvents` in all; the same eventId for the same user is held and sent once (producers
 * retry). Pure: no I/O, the clock injected.
 */

export type LiveEventName = 'booking-status' | 'notification';

/** One event for one user, where it was read in the log. */
export interface LiveEventInput {
  userId: string;
  /** Stable across re-publishes of the same event: the de-duplication key. */
  eventId: string;
  partition: number;
  offset: number;
  /** When it was produced (ms since the epoch): it is held for the window after that. */
  timestamp: number;
  event: LiveEventName;
  data: unknown;
}

export interface LiveEvent extends LiveEventInput {
  /** The SSE id: `<partition>-<offset>`. */
  id: string;
}

/** A place in the log: an event's, or the last one a client was given. */
export interface LogPosition {
  partition: number;
  offset: number;
}

export function formatEventId({ partition, offset }: LogPosition): string {
  return `${partition}-${offset}`;
}

/** The position an SSE id names; null for anything else (an id of another format is no id). */
export function parseEventId(text: string | null | undefined): LogPosition | null {
  const match = text?.trim().match(/^(\d{1,6})-(\d{1,15})$/);
  if (!match) return null;
  return { partition: Number(match[1]), offset: Number(match[2]) };
}

/** Where this process reads each partition of the topic from, and where its log ended then. */
export interface PartitionStart {
  partition: number;
  /** The first offset read (the first message of the window). */
  from: number;
  /** The offset the next message would get when reading started (the high watermark). */
  end: number;
}

export interface LiveEventHubOptions {
  windowMs: number;
  maxPerUser: number;
  maxEvents: number;
  now?: () => number;
}

/** One open stream of a user, as the hub sees it. */
export interface LiveSubscription {
  /** What the user missed after the id it came back with, oldest first. */
  readonly replay: LiveEvent[];
  /** True when some of what it missed may be gone: the client should reload what it shows. */
  readonly incomplete: boolean;
  /**
   * An id that stands for everything this stream was given up to now (sent with heartbeats,
   * so a client that heard no event in a while still reconnects from here); null when unknown.
   */
  position(): string | null;
  close(): void;
}

interface Held {
  event: LiveEvent;
  gone: boolean;
}

interface Subscriber {
  /** The last offset given, per partition: nothing at or before it is given again. */
  cursor: Map<number, number>;
  deliver(event: LiveEvent): void;
  end?(): void;
}

interface UserLog {
  /** Held events, in the order they were read. */
  events: Held[];
  /** Per partition, the last offset of an event dropped for the per-user bound. */
  dropped: Map<number, number>;
  /** eventId -> until when a copy of it is a duplicate. */
  seen: Map<string, number>;
  subscribers: Set<Subscriber>;
}

export type AddOutcome = 'held' | 'duplicate' | 'stale' | 'expired';

export class LiveEventHub {
  private readonly windowMs: number;
  private readonly maxPerUser: number;
  private readonly maxEvents: number;
  private readonly now: () => number;
  private readonly users = new Map<string, UserLog>();
  /** Every held event in the order read (gone ones skipped), for dropping the oldest first. */
  private order: Held[] = [];
  private head = 0;
  private held = 0;
  /** Per partition: the last offset read, the first one read, where the log ended at start. */
  private readonly read = new Map<number, number>();
  private readonly starts = new Map<number, PartitionStart>();
  /** Per partition, the last offset of an event dropped for age or the overall bound. */
  private readonly droppedUpTo = new Map<number, number>();
  private partitionOf: ((userId: string) => number) | null = null;
  private closed = false;

  constructor(options: LiveEventHubOptions) {
    this.windowMs = options.windowMs;
    this.maxPerUser = options.maxPerUser;
    this.maxEvents = options.maxEvents;
    this.now = options.now ?? Date.now;
  }

  /** Reading starts: from where, on each partition, and which partition holds a user's events. */
  begin(partitions: PartitionStart[], partitionOf: (userId: string) => number): void {
    for (const start of partitions) {
      this.starts.set(start.partition, start);
      if (!this.read.has(start.partition)) this.read.set(start.partition, start.from - 1);
    }
    this.partitionOf = partitionOf;
  }

  /** The offset to read next on `partition` (after a rejoin, say); undefined before `begin`. */
  nextOffset(partition: number): number | undefined {
    const last = this.read.get(partition);
    return last === undefined ? undefined : last + 1;
  }

  /** True once every partition was read up to where its log ended when reading started. */
  caughtUp(): boolean {
    if (this.starts.size === 0) return false;
    return [...this.starts.values()].every((s) => (this.read.get(s.partition) ?? -1) >= s.end - 1);
  }

  /** A message was read that holds nothing for anyone (unreadable): its offset still counts. */
  skip(partition: number, offset: number): void {
    const last = this.read.get(partition);
    if (last === undefined || offset > last) this.read.set(partition, offset);
  }

  /** An event was read: held for replay and given to the user's open streams, unless a copy. */
  add(input: LiveEventInput): AddOutcome {
    const last = this.read.get(input.partition);
    if (last !== undefined && input.offset <= last) return 'stale';
    this.read.set(input.partition, input.offset);
    this.prune();
    const now = this.now();
    const until = input.timestamp + this.windowMs;
    const user = this.users.get(input.userId);
    const copyUntil = user?.seen.get(input.eventId);
    if (copyUntil !== undefined && copyUntil > now) return 'duplicate';
    const event: LiveEvent = { ...input, id: formatEventId(input) };
    if (until <= now) {
      // Read late (the window's first messages, at start): given, not held.
      this.noteDropped(this.droppedUpTo, input.partition, input.offset);
      for (const subscriber of user?.subscribers ?? []) offer(subscriber, event);
      return 'expired';
    }
    const log = user ?? this.userLog(input.userId);
    log.seen.set(input.eventId, until);
    const held: Held = { event, gone: false };
    log.events.push(held);
    this.order.push(held);
    this.held += 1;
    while (log.events.length > this.maxPerUser) {
      const oldest = log.events.shift() as Held;
      oldest.gone = true;
      this.held -= 1;
      this.noteDropped(log.dropped, oldest.event.partition, oldest.event.offset);
    }
    this.trimSeen(log, now);
    this.prune();
    for (const subscriber of log.subscribers) offer(subscriber, event);
    return 'held';
  }

  /**
   * Opens a stream for `userId`. Without `after` (a new connection) it starts at the end of
   * the log; with it, it first replays what the user missed after it. Every later event of the
   * user goes to `deliver`, in log order, never one at or before what the stream was given.
   */
  subscribe(
    userId: string,
    after: LogPosition | null,
    deliver: (event: LiveEvent) => void,
    end?: () => void,
  ): LiveSubscription {
    this.prune();
    const log = this.userLog(userId);
    const subscriber: Subscriber = { cursor: new Map(), deliver, end };
    let replay: LiveEvent[] = [];
    let incomplete = false;
    if (after) {
      subscriber.cursor.set(after.partition, after.offset);
      incomplete = this.mayHaveLost(log, after);
      replay = log.events
        .map((h) => h.event)
        .filter((e) => e.partition !== after.partition || e.offset > after.offset);
      for (const e of replay) subscriber.cursor.set(e.partition, e.offset);
    } else {
      const partition = this.partitionOf?.(userId);
      const end = partition === undefined ? undefined : this.endOf(partition);
      if (partition !== undefined && end !== undefined) subscriber.cursor.set(partition, end);
    }
    log.subscribers.add(subscriber);
    if (this.closed) queueMicrotask(() => end?.());
    return {
      replay,
      incomplete,
      position: () => {
        const partition = this.partitionOf?.(userId);
        if (partition === undefined) return null;
        const offset = Math.max(
          subscriber.cursor.get(partition) ?? -1,
          this.read.get(partition) ?? -1,
        );
        return offset < 0 ? null : formatEventId({ partition, offset });
      },
      close: () => {
        log.subscribers.delete(subscriber);
        this.forgetIfIdle(userId, log);
      },
    };
  }

  /** Ends every open stream, and every stream opened from now on (the process shuts down). */
  endAll(): void {
    this.closed = true;
    for (const log of this.users.values()) for (const s of log.subscribers) s.end?.();
  }

  /** How much is held, for logs and tests. */
  stats(): { users: number; events: number; streams: number } {
    let streams = 0;
    for (const log of this.users.values()) streams += log.subscribers.size;
    return { users: this.users.size, events: this.held, streams };
  }

  /** The last offset of `partition`'s log known here: read, or where it ended at start. */
  private endOf(partition: number): number | undefined {
    const read = this.read.get(partition);
    const start = this.starts.get(partition);
    if (read === undefined && start === undefined) return undefined;
    return Math.max(read ?? -1, (start?.end ?? 0) - 1);
  }

  /** Events after `after` this process never read, or no longer holds. */
  private mayHaveLost(log: UserLog, after: LogPosition): boolean {
    const start = this.starts.get(after.partition);
    if (!start) return this.starts.size > 0; // a partition this topic does not have
    const floor = Math.max(
      start.from - 1,
      this.droppedUpTo.get(after.partition) ?? -1,
      log.dropped.get(after.partition) ?? -1,
    );
    return after.offset < floor;
  }

  private userLog(userId: string): UserLog {
    let log = this.users.get(userId);
    if (!log) {
      log = { events: [], dropped: new Map(), seen: new Map(), subscribers: new Set() };
      this.users.set(userId, log);
    }
    return log;
  }

  private forgetIfIdle(userId: string, log: UserLog): void {
    if (log.events.length === 0 && log.subscribers.size === 0) this.users.delete(userId);
  }

  private noteDropped(marks: Map<number, number>, partition: number, offset: number): void {
    marks.set(partition, Math.max(marks.get(partition) ?? -1, offset));
  }

  /** Copies are recognised for the window; the oldest marks go first (a Map keeps that order). */
  private trimSeen(log: UserLog, now: number): void {
    for (const [eventId, until] of log.seen) {
      if (until > now && log.seen.size <= this.maxPerUser * 2) break;
      log.seen.delete(eventId);
    }
  }

  /** Drops what is older than the window, then the oldest while over the overall bound. */
  private prune(): void {
    const now = this.now();
    while (this.head < this.order.length) {
      const oldest = this.order[this.head] as Held;
      const over = this.held > this.maxEvents;
      if (!oldest.gone && !over && oldest.event.timestamp + this.windowMs > now) break;
      this.head += 1;
      if (oldest.gone) continue;
      oldest.gone = true;
      this.held -= 1;
      this.noteDropped(this.droppedUpTo, oldest.event.partition, oldest.event.offset);
      const log = this.users.get(oldest.event.userId);
      if (!log) continue;
      const at = log.events.indexOf(oldest);
      if (at >= 0) log.events.splice(at, 1);
      this.trimSeen(log, now);
      this.forgetIfIdle(oldest.event.userId, log);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}

function offer(subscriber: Subscriber, event: LiveEvent): void {
  const last = subscriber.cursor.get(event.partition);
  if (last !== undefined && event.offset <= last) return;
  subscriber.cursor.set(event.partition, event.offset);
  subscriber.deliver(event);
}
