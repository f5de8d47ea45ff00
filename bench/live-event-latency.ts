/**
 * Live-event latency (issue 12): from the owner's approval (`PUT .../approve` on API #1) to the
 * `booking-status` ACCEPTED event arriving on the traveler's event stream (`GET /api/events`)
 * held by a second API process, API #2. The path measured: API #1 publishes the decision on
 * booking-updates -> bridge -> signal -> the saga's recordTransition writes ACCEPTED and
 * publishes the live events -> API #2's consumer -> the traveler's stream.
 *
 * Starts the embedded stack on free ports in a temporary data directory (or uses
 * TEMPORAL_ADDRESS / KAFKA_BROKERS / MONGODB_URI / SMTP_URL), the whole system in this process
 * (API #1, worker, bridge, notifier), and API #2 as a child process. One decision at a time, each
 * on a booking whose saga is already waiting for it (the traveler's stream heard its
 * `booking-pending` notification), so each sample is the event's own latency, not a queue's.
 * Prints the percentiles and writes the raw numbers to bench/results/<timestamp>.json.
 *
 *   npx tsx bench/live-event-latency.ts [--decisions 100] [--warmup 5]
 * (or BENCH_DECISIONS, BENCH_WARMUP)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger } from '../config/logger.js';
import { runComponentsOn } from '../processes/main.js';
import { freePorts } from '../stack/ports.js';
import { startThrowawayStack } from '../stack/throwaway-stack.js';
import { requestJson } from '../test/support/http-client.js';
import { dataOf, openEventStream, type SseEvent } from '../test/support/sse-client.js';
import { latencyStats, renderTable, writeResults, type LatencyStats } from './harness.js';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const STEP_TIMEOUT_MS = 60_000;
const DAY_MS = 86_400_000;

/** The few answer fields the bench reads. */
interface Answer {
  token?: string;
  user?: { id: string };
  property?: { id: string };
  booking?: { id: string };
}

/** The few event fields the bench reads. */
interface LiveData {
  bookingId?: string;
  status?: string;
  notification?: { bookingId?: string; kind: string };
}

export interface LiveLatencyOptions {
  decisions: number;
  warmup: number;
}

export function parseLiveLatencyOptions(
  argv: string[],
  env: NodeJS.ProcessEnv,
): LiveLatencyOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] ?? '';
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined) throw new Error(`bad argument ${name}`);
    flags.set(name.slice(2), value);
  }
  const count = (name: string, fallback: number) => {
    const text = flags.get(name) ?? env[`BENCH_${name.toUpperCase()}`];
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
    return n;
  };
  return { decisions: count('decisions', 100), warmup: count('warmup', 5) };
}

/** Starts `tsx processes/main.ts api` on `port`; resolves once it listens. */
function startSecondApi(env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'processes/main.ts', 'api'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API #2 not up:\n${output}`)), 120_000);
    const hear = (chunk: Buffer) => {
      output += chunk.toString();
      if (/INFO\s+listening /.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', hear);
    child.stderr.on('data', hear);
    child.once('exit', (code) => reject(new Error(`API #2 exited (${code}):\n${output}`)));
  });
  return { child, ready };
}

async function main() {
  const options = parseLiveLatencyOptions(process.argv.slice(2), process.env);
  const say = (line: string) => process.stdout.write(`[bench:live] ${line}\n`);
  const { stack, apiPort, remove } = await startThrowawayStack('bench-live');
  const system = await runComponentsOn(
    stack,
    'all',
    { PORT: String(apiPort), AGENT_PORT: '0', OWNER_DECISION_TIMEOUT: '1h', LOG_LEVEL: 'warn' },
    createLogger('bench', 'warn'),
  );
  const [port2] = (await freePorts(1)) as [number];
  const second = startSecondApi(stack.env, port2);
  const api1 = `http://127.0.0.1:${apiPort}`;
  const api2 = `http://127.0.0.1:${port2}`;
  try {
    await second.ready;
    say(`API #1 ${api1} (with worker, bridge, notifier), API #2 ${api2}`);
    const call = async (
      path: string,
      init: { method?: string; token?: string; body?: unknown },
    ) => {
      const res = await requestJson<Answer>(api1, path, { ...init, timeoutMs: STEP_TIMEOUT_MS });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const password = randomBytes(12).toString('base64url');
    const signUp = async (role: 'owner' | 'traveler') => {
      const body = await call('/api/auth/signup', {
        method: 'POST',
        body: { email: `live-${role}-${randomUUID()}@example.com`, password, name: role, role },
      });
      if (!body.user || !body.token) throw new Error(`sign up ${role}: no user or token`);
      return { id: body.user.id, token: body.token };
    };
    const [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
    const property = await call('/api/properties', {
      method: 'POST',
      token: owner.token,
      body: {
        name: 'Bench Villa',
        type: 'villa',
        city: 'Lisbon',
        country: 'Portugal',
        bedrooms: 2,
        bathrooms: 1,
        maxGuests: 4,
        pricePerNight: 100,
        cleaningFee: 20,
        serviceFee: 10,
      },
    });
    const propertyId = property.property?.id;
    if (!propertyId) throw new Error('no property id in the answer');
    const stream = await openEventStream(`${api2}/api/events`, { token: traveler.token });
    if (stream.status !== 200) throw new Error(`stream: ${stream.status}`);
    await stream.waitFor((e) => e.event === 'ready');
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const day = (n: number) => new Date(today + n * DAY_MS).toISOString().slice(0, 10);

    const samples: { putMs: number; eventMs: number }[] = [];
    const total = options.warmup + options.decisions;
    for (let i = 0; i < total; i++) {
      const created = await call('/api/travelers/bookings', {
        method: 'POST',
        token: traveler.token,
        body: {
          propertyId: propertyId,
          checkIn: day(30 + 2 * i),
          checkOut: day(31 + 2 * i),
          guests: 2,
        },
      });
      const bookingId = created.booking?.id;
      if (!bookingId) throw new Error('no booking id in the answer');
      const is = (event: string, what: (d: LiveData) => boolean) => (e: SseEvent) =>
        e.event === event && what(dataOf<LiveData>(e));
      await stream.waitFor(
        is(
          'notification',
          (d) =>
            d.notification?.bookingId === bookingId && d.notification.kind === 'booking-pending',
        ),
        { timeoutMs: STEP_TIMEOUT_MS },
      );
      const from = stream.events.length;
      const t0 = performance.now();
      await call(`/api/owners/bookings/${bookingId}/approve`, {
        method: 'PUT',
        token: owner.token,
      });
      const putMs = performance.now() - t0;
      const accepted = await stream.waitFor(
        is('booking-status', (d) => d.bookingId === bookingId && d.status === 'ACCEPTED'),
        { timeoutMs: STEP_TIMEOUT_MS, from },
      );
      if (i >= options.warmup) samples.push({ putMs, eventMs: accepted.receivedAt - t0 });
      if ((i + 1) % 20 === 0) say(`${i + 1}/${total} decisions`);
    }
    stream.close();

    const event = latencyStats(samples.map((s) => s.eventMs));
    const put = latencyStats(samples.map((s) => s.putMs));
    const row = (name: string, s: LatencyStats) =>
      [name, s.count, s.p50, s.p90, s.p99, s.max, s.mean].map((v) =>
        typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v,
      );
    process.stdout.write(
      `\n${renderTable(
        ['ms', 'n', 'p50', 'p90', 'p99', 'max', 'mean'],
        [row('PUT approve -> ACCEPTED on API #2 stream', event), row('PUT approve answered', put)],
      )}\n`,
    );
    const file = writeResults(RESULTS_DIR, {
      bench: 'live-event-latency',
      options,
      event,
      put,
      samples,
    });
    say(`raw numbers in ${file}`);
  } finally {
    second.child.kill('SIGTERM');
    await system.stop();
    await remove();
  }
}

const isEntryPoint = import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
