/**
 * Runtime configuration, read once from the environment and validated with zod so a typo in a
 * deployment fails at start-up with a clear message instead of misbehaving later.
 */
import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { DEFAULT_OWNER_DECISION_TIMEOUT_MS } from '../domain/owner-deadline.js';
import { DEFAULT_BOOKING_POLICY } from '../domain/stay.js';

const duration = (fallbackMs: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text === '') return fallbackMs;
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a duration like 24h, 90s, 500ms`,
        });
        return z.NEVER;
      }
      return ms;
    });

/** Treats a variable set to the empty string as not set (compose and shells set them so). */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

/** A SASL mechanism needs both halves of the credentials; say which one is missing. */
function kafkaSaslComplete(
  config: {
    KAFKA_SASL_MECHANISM?: string;
    KAFKA_SASL_USERNAME?: string;
    KAFKA_SASL_PASSWORD?: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (config.KAFKA_SASL_MECHANISM === undefined) return;
  for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (config[key] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `required when KAFKA_SASL_MECHANISM is set (${config.KAFKA_SASL_MECHANISM})`,
      });
    }
  }
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** The seed's services, each a set of API path prefixes (and a port, 5001-5005, in compose). */
export const SEED_SERVICES = ['auth', 'owner', 'property', 'booking', 'traveler'] as const;
export type SeedService = (typeof SEED_SERVICES)[number];

export const configSchema = z.object({
  PORT: port(3000),
  HOST: z.string().default('127.0.0.1'),
  MONGODB_URI: z.string().default('mongodb://127.0.0.1:27017/staysaga'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((list) =>
      list
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  KAFKA_CLIENT_ID: z.string().default('staysaga'),
  KAFKA_REQUEST_TOPIC: z.string().default('booking-requests'),
  KAFKA_RESPONSE_TOPIC: z.string().default('booking-updates'),
  /** What each user sees live (`GET /api/events`): one message per recipient, keyed by userId. */
  KAFKA_LIVE_EVENTS_TOPIC: z.string().min(1).default('user-events'),
  /** Copies of each booking topic: 1 on one broker, 3 on a 3-broker cluster. */
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  // ---- Kafka security: how this process authenticates to the brokers ------------------------
  // With a SASL mechanism the process logs in as KAFKA_SASL_USERNAME, its role's own principal
  // (kafka/acl-plan.ts); KAFKA_SSL=true for brokers that speak TLS. An empty value means unset.
  KAFKA_SASL_MECHANISM: z.preprocess(
    unsetIfEmpty,
    z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  ),
  KAFKA_SASL_USERNAME: z.preprocess(unsetIfEmpty, z.string().optional()),
  KAFKA_SASL_PASSWORD: z.preprocess(unsetIfEmpty, z.string().optional()),
  KAFKA_SSL: z.preprocess(unsetIfEmpty, z.stringbool().default(false)),
  // Create the booking topics (and their .DLT) at start. false where an admin step creates them:
  // on a secure cluster the role principals may not create topics.
  KAFKA_ENSURE_TOPICS: z.preprocess(unsetIfEmpty, z.stringbool().default(true)),
  // ---------------------------------------------------------------------------------------------
  // Email (password-reset tokens, booking requests and decisions): an SMTP server URL, e.g.
  // smtp://mail:1025 or smtps://user:password@smtp.example.com:465. Unset: no email is sent, and
  // a password reset cannot be delivered (the API logs a warning at start).
  SMTP_URL: z.preprocess(unsetIfEmpty, z.url({ protocol: /^smtps?$/ }).optional()),
  MAIL_FROM: z.string().default('StaySaga <no-reply@staysaga.local>'),
  // Where people open the web app: emails link to its pages (the password-reset page).
  WEB_APP_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:5173'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('bookings'),
  OWNER_DECISION_TIMEOUT: duration(DEFAULT_OWNER_DECISION_TIMEOUT_MS),
  // Booking policy: a request must arrive this long before check-in, so the owner always has
  // time to decide (the deadline is never later than check-in); a stay may start at most this
  // far ahead; a traveler may have this many PENDING requests at once, overall and per listing.
  BOOKING_MIN_NOTICE: duration(DEFAULT_BOOKING_POLICY.minNoticeMs),
  BOOKING_HORIZON: duration(DEFAULT_BOOKING_POLICY.horizonMs),
  MAX_PENDING_PER_TRAVELER: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_BOOKING_POLICY.maxPendingPerTraveler),
  MAX_PENDING_PER_PROPERTY: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_BOOKING_POLICY.maxPendingPerProperty),
  // The currency of every price (ISO 4217): listings, quotes and bookings are all in this one.
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD or EUR')
    .default('USD'),
  SESSION_TTL: duration(7 * 24 * 60 * 60 * 1000),
  PASSWORD_RESET_TTL: duration(30 * 60 * 1000),
  // Log-in throttling: this many failures of one email from one client within the window lock
  // further attempts until the window ends.
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_FAILURE_WINDOW: duration(15 * 60 * 1000),
  // Failures of one email from all untrusted clients together in a window: bounds guessing from
  // many addresses. Browsers the account logged in from before (a device cookie, valid this
  // long) are counted on their own, so neither limit can lock the account holder out.
  LOGIN_MAX_ACCOUNT_FAILURES: z.coerce.number().int().positive().default(50),
  TRUSTED_DEVICE_TTL: duration(180 * 24 * 60 * 60 * 1000),
  // Password hashes (scrypt) running at once in this process; default: one fewer than the cores.
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().positive().optional(),
  // Only behind a proxy we run may X-Forwarded-For name the client; otherwise anyone could
  // dodge the log-in throttle by sending a new address each time.
  // `loopback` (the default): only a proxy on this machine, such as `npm start`'s web server.
  TRUST_PROXY: z.preprocess(
    unsetIfEmpty,
    z.union([z.literal('loopback'), z.stringbool()]).default('loopback'),
  ),
  ACCOUNT_PURGE_INTERVAL: duration(5 * 60 * 1000),
  /** Which seed services this API process serves: `all` or a comma list of SEED_SERVICES. */
  API_SERVICES: z
    .string()
    .default('all')
    .transform((list, ctx) => {
      if (list.trim() === 'all') return [...SEED_SERVICES];
      const names = list.split(',').map((s) => s.trim());
      const unknown = names.filter((n) => !(SEED_SERVICES as readonly string[]).includes(n));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown service(s) ${unknown.join(', ')}` });
        return z.NEVER;
      }
      return names as SeedService[];
    }),
  // ---- Live events (`GET /api/events`, Server-Sent Events) -----------------------------------
  // A comment line this often keeps proxies from closing an idle stream.
  LIVE_EVENTS_HEARTBEAT: duration(15 * 1000),
  // A reconnecting client (Last-Event-ID) gets what it missed from this far back.
  LIVE_EVENTS_REPLAY_WINDOW: duration(60 * 60 * 1000),
  // What each API process keeps for replay: at most this many events per user, and in all.
  LIVE_EVENTS_BUFFER_PER_USER: z.coerce.number().int().positive().default(500),
  LIVE_EVENTS_BUFFER_TOTAL: z.coerce.number().int().positive().default(200_000),
  // A stream is closed after this long (the browser reconnects at once, with Last-Event-ID): a
  // revoked session stops streaming, and reconnections spread over the replicas behind the LB.
  LIVE_EVENTS_MAX_STREAM: duration(30 * 60 * 1000),
  // ---- Trip-planning agent (docs/agent.md) --------------------------------------------------
  // The agent service's port, and where the API reaches it (default: the agent of this process
  // when it runs one, else http://127.0.0.1:AGENT_PORT).
  AGENT_PORT: port(8000),
  AGENT_URL: z.preprocess(unsetIfEmpty, z.url({ protocol: /^https?$/ }).optional()),
  // The credential the API shows the agent (Bearer); the agent refuses every other caller. A
  // process running both the API and the agent makes one up when it is not set.
  AGENT_API_KEY: z.preprocess(unsetIfEmpty, z.string().min(16).max(512).optional()),
  // How long the API waits for the agent's whole answer (a plan, or a chat's stream).
  AGENT_TIMEOUT: duration(300 * 1000),
  // The OpenAI-compatible chat endpoint the agent uses (llama.cpp's server, Ollama's /v1).
  AGENT_LLM_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:11434/v1'),
  AGENT_LLM_MODEL: z.string().min(1).default('qwen2.5-coder-0.5b-instruct'),
  // One model call (one plan attempt, one chat step) may take this long.
  AGENT_LLM_TIMEOUT: duration(60 * 1000),
  // The most tokens one model call may generate, whatever the plan's length.
  AGENT_LLM_MAX_TOKENS: z.coerce.number().int().min(64).max(8192).default(1500),
  // Requests the agent works on at once (the model server queues them); more answer 503.
  AGENT_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(4),
  /** Where processes without the API answer health probes. */
  HEALTH_PORT: port(8080),
  /** A workflow bundle built ahead of time (the container image has one); else bundled at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** The schema with the checks across variables (a SASL mechanism needs its credentials). */
const checkedConfigSchema = configSchema.superRefine(kafkaSaslComplete);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = checkedConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
