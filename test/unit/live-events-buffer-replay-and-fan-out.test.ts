/**
 * The live-events buffer of one API process (services/live-events.ts), on a fake clock: what a
 * reconnecting client is replayed, for how long, once per eventId, and only its own.
 */
import { describe, expect, it } from 'vitest';
import {
  formatEventId,
  LiveEventHub,
  parseEventId,
  type LiveEvent,
  type LiveEventInput,
} from '../../services/live-events.js';

const HOUR = 60 * 60 * 1000;
const ANA = 'a'.repeat(24);
const BEN = 'b'.repeat(24);

function setup(options: { maxPerUser?: number; maxEvents?: number; end?: number } = {}) {
  let now = 1_800_000_000_000;
  const hub = new LiveEventHub({
    windowMs: HOUR,
    maxPerUser: options.maxPerUser ?? 100,
    maxEvents: options.maxEvents ?? 1000,
    now: () => now,
  });
  // One partition (0) from offset 0; both users' events are on it.
  hub.begin([{ partition: 0, from: 0, end: options.end ?? 0 }], () => 0);
  let offset = 0;
  const add = (userId: string, eventId: string, overrides: Partial<LiveEventInput> = {}) =>
    hub.add({
      userId,
      eventId,
      partition: 0,
      offset: offset++,
      timestamp: now,
      event: 'notification',
      data: { eventId },
      ...overrides,
    });
  return {
    hub,
    add,
    /** Moves the clock on. */
    wait: (ms: number) => (now += ms),
    /** The offset the next `add` gets. */
    nextOffset: () => offset,
    skipTo: (next: number) => (offset = next),
  };
}

const ids = (events: LiveEvent[]) => events.map((e) => e.id);
const eventIds = (events: LiveEvent[]) => events.map((e) => e.eventId);

describe('the live-events buffer', () => {
  it('replays what a client missed after its last id, then streams on from there', () => {
    const { hub, add } = setup();
    for (const name of ['e0', 'e1', 'e2', 'e3']) add(ANA, name);
    const heard: LiveEvent[] = [];
    const stream = hub.subscribe(ANA, parseEventId('0-1'), (e) => heard.push(e));
    expect(ids(stream.replay)).toEqual(['0-2', '0-3']);
    expect(stream.incomplete).toBe(false);
    add(ANA, 'e4');
    expect(ids(heard)).toEqual(['0-4']);
    expect(heard[0]).toMatchObject({ event: 'notification', data: { eventId: 'e4' } });
    // Without an id, a new connection starts at the end: nothing replayed, the new ones streamed.
    const fresh: LiveEvent[] = [];
    const second = hub.subscribe(ANA, null, (e) => fresh.push(e));
    expect(second.replay).toEqual([]);
    add(ANA, 'e5');
    expect(ids(fresh)).toEqual(['0-5']);
    expect(second.position()).toBe('0-5');
  });

  it('holds an event for the window after it was produced, then says the replay is incomplete', () => {
    const { hub, add, wait } = setup();
    add(ANA, 'old');
    wait(40 * 60 * 1000);
    add(ANA, 'recent');
    wait(30 * 60 * 1000); // 'old' is 70 minutes old, 'recent' 30
    const back = hub.subscribe(ANA, parseEventId('0-0'), () => undefined);
    expect(eventIds(back.replay)).toEqual(['recent']);
    expect(back.incomplete).toBe(false);
    // A client whose last id is older than anything held may have missed what was dropped.
    wait(31 * 60 * 1000);
    add(BEN, 'someone else');
    const late = hub.subscribe(ANA, parseEventId('0-0'), () => undefined);
    expect(late.replay).toEqual([]);
    expect(late.incomplete).toBe(true);
    // Ids after what was dropped are still complete.
    expect(hub.subscribe(ANA, parseEventId('0-1'), () => undefined).incomplete).toBe(false);
    expect(hub.stats().events).toBe(1);
  });

  it('keeps and sends an eventId once per user, whatever offsets its copies have', () => {
    const { hub, add, wait } = setup();
    const heard: LiveEvent[] = [];
    hub.subscribe(ANA, null, (e) => heard.push(e));
    expect(add(ANA, 'accepted')).toBe('held');
    expect(add(ANA, 'accepted')).toBe('duplicate'); // the activity was retried
    expect(add(BEN, 'accepted')).toBe('held'); // the other party's copy is theirs
    expect(eventIds(heard)).toEqual(['accepted']);
    expect(ids(hub.subscribe(ANA, parseEventId('0-0'), () => undefined).replay)).toEqual([]);
    // A copy arriving after the window is a new event again: the first one is gone by then.
    wait(HOUR + 1);
    expect(add(ANA, 'accepted')).toBe('held');
  });

  it('gives each user only their own events, live and replayed', () => {
    const { hub, add } = setup();
    const ana: LiveEvent[] = [];
    const ben: LiveEvent[] = [];
    hub.subscribe(ANA, null, (e) => ana.push(e));
    hub.subscribe(BEN, null, (e) => ben.push(e));
    add(ANA, 'a1');
    add(BEN, 'b1');
    add(ANA, 'a2');
    expect(eventIds(ana)).toEqual(['a1', 'a2']);
    expect(eventIds(ben)).toEqual(['b1']);
    expect(eventIds(hub.subscribe(BEN, parseEventId('0-0'), () => undefined).replay)).toEqual([
      'b1',
    ]);
    expect(eventIds(hub.subscribe(ANA, parseEventId('0-0'), () => undefined).replay)).toEqual([
      'a2',
    ]);
  });

  it('never gives a stream what it already had, on a replica that is behind or catching up', () => {
    // This replica reads from offset 0 while the log already ends at 6 (catching up at start).
    const { hub, add } = setup({ end: 6 });
    const fresh: LiveEvent[] = [];
    const stream = hub.subscribe(ANA, null, (e) => fresh.push(e));
    expect(stream.position()).toBe('0-5'); // everything before now counts as given
    // A client that was given 0-3 on another replica, which was further on.
    const moved: LiveEvent[] = [];
    hub.subscribe(ANA, parseEventId('0-3'), (e) => moved.push(e));
    for (let i = 0; i < 7; i++) add(ANA, `e${i}`);
    expect(ids(fresh)).toEqual(['0-6']); // the catch-up is history for a new connection
    expect(ids(moved)).toEqual(['0-4', '0-5', '0-6']);
    expect(hub.caughtUp()).toBe(true);
    // A message read twice (kafkajs after a rejoin) is not an event twice.
    expect(
      hub.add({
        ...{ userId: ANA, eventId: 'x', partition: 0, offset: 6 },
        timestamp: 0,
        event: 'notification',
        data: {},
      }),
    ).toBe('stale');
  });

  it('moves the heartbeat id past messages for others, so a quiet client reconnects from now', () => {
    const { hub, add } = setup();
    add(ANA, 'a0');
    const stream = hub.subscribe(ANA, parseEventId('0-0'), () => undefined);
    add(BEN, 'b1');
    hub.skip(0, 2); // a message nobody could read
    expect(stream.position()).toBe('0-2');
    expect(hub.subscribe(ANA, parseEventId('0-2'), () => undefined).replay).toEqual([]);
  });

  it('is bounded per user and in all, and says so to a client whose events were dropped', () => {
    const { hub, add } = setup({ maxPerUser: 3, maxEvents: 5 });
    for (let i = 0; i < 5; i++) add(ANA, `a${i}`); // a0, a1 dropped for the per-user bound
    const back = hub.subscribe(ANA, parseEventId('0-0'), () => undefined);
    expect(eventIds(back.replay)).toEqual(['a2', 'a3', 'a4']);
    expect(back.incomplete).toBe(true);
    expect(hub.subscribe(ANA, parseEventId('0-1'), () => undefined).incomplete).toBe(false);
    for (let i = 0; i < 3; i++) add(BEN, `b${i}`); // over 5 in all: Ana's oldest go
    expect(hub.stats().events).toBe(5);
    expect(eventIds(hub.subscribe(ANA, parseEventId('0-1'), () => undefined).replay)).toEqual([
      'a3',
      'a4',
    ]);
  });

  it('replays, after a restart, from the offsets of one window ago, and no further back', () => {
    const { hub } = setup();
    // Another hub that began reading partition 0 at offset 100 (one hour ago).
    const restarted = new LiveEventHub({ windowMs: HOUR, maxPerUser: 10, maxEvents: 10 });
    restarted.begin([{ partition: 0, from: 100, end: 120 }], () => 0);
    expect(restarted.nextOffset(0)).toBe(100);
    expect(restarted.subscribe(ANA, parseEventId('0-99'), () => undefined).incomplete).toBe(false);
    expect(restarted.subscribe(ANA, parseEventId('0-42'), () => undefined).incomplete).toBe(true);
    // An id on a partition the topic does not have is no position it can replay from.
    expect(restarted.subscribe(ANA, parseEventId('7-1'), () => undefined).incomplete).toBe(true);
    expect(hub.nextOffset(0)).toBe(0);
  });

  it('forgets a user with nothing held and no stream, and ends every stream on shutdown', async () => {
    const { hub, add, wait } = setup();
    add(ANA, 'a0');
    let ended = 0;
    const stream = hub.subscribe(
      BEN,
      null,
      () => undefined,
      () => (ended += 1),
    );
    expect(hub.stats()).toEqual({ users: 2, events: 1, streams: 1 });
    wait(HOUR);
    stream.close();
    hub.subscribe(
      BEN,
      null,
      () => undefined,
      () => (ended += 1),
    );
    expect(hub.stats()).toEqual({ users: 1, events: 0, streams: 1 });
    hub.endAll();
    expect(ended).toBe(1);
    hub.subscribe(
      BEN,
      null,
      () => undefined,
      () => (ended += 1),
    );
    await Promise.resolve();
    expect(ended).toBe(2); // opened while shutting down: ended at once
  });
});

describe('live event ids', () => {
  it('are <partition>-<offset>; anything else is no id', () => {
    expect(formatEventId({ partition: 2, offset: 1041 })).toBe('2-1041');
    expect(parseEventId('2-1041')).toEqual({ partition: 2, offset: 1041 });
    expect(parseEventId(' 0-0 ')).toEqual({ partition: 0, offset: 0 });
    for (const text of [
      undefined,
      null,
      '',
      '2',
      '2-',
      '-1',
      'a-1',
      '1-2-3',
      '2-1e3',
      '1-9999999999999999',
    ]) {
      expect(parseEventId(text), String(text)).toBeNull();
    }
  });
});
