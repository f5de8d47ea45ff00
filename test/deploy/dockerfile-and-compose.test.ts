/**
 * The container files (Dockerfile, .dockerignore, docker-compose.yml, .env.example) proven without
 * a Docker engine: the Compose Specification schema and hadolint judge them (and are shown to
 * reject a broken copy, so a pass means something), and the parsed files are checked for what
 * the schema cannot see: health-gated start order, pinned images, no committed secrets, the seed
 * services on their ports, and an image that carries everything the entry point imports.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_SERVICES } from '../../config/env.js';
import {
  aclShellLines,
  COMPONENT_ROLES,
  INIT_SCRIPT_USERS,
  KAFKA_PRINCIPALS,
} from '../../kafka/acl-plan.js';
import { LIVE_EVENTS_RETENTION_MS } from '../../kafka/topics.js';
import {
  ensureDeployValidators,
  type DeployValidators,
  type ToolCommand,
} from '../../stack/deploy-validators.js';
import { MAILPIT_VERSION } from '../../stack/mail.js';
import { SECURE_KAFKA_BROKER_ENV } from './secure-kafka-settings.js';
import { searchAttributes } from '../../workflows/booking-definitions.js';
import { startHealthServer } from '../../processes/health-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

let tools: DeployValidators;
let scratch: string;

beforeAll(async () => {
  tools = await ensureDeployValidators();
  scratch = mkdtempSync(join(tmpdir(), 'staysaga-deploy-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function runTool(tool: ToolCommand, args: string[]) {
  const result = spawnSync(tool.command, [...tool.args, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...tool.env },
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// ---- docker-compose.yml -------------------------------------------------------------------------

type Env = Record<string, string>;
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[] | string;
  environment?: Env | string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  restart?: string;
  healthcheck?: { test?: string[] | string; interval?: string; start_period?: string };
  volumes?: string[];
  networks?: string[] | Record<string, unknown>;
}
interface Compose {
  version?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services;

const STAYSAGA_IMAGE = /^staysaga:\$\{STAYSAGA_VERSION:-\d+\.\d+\.\d+\}$/;
/** The booking system's processes; the agent (same image) talks to none of its servers. */
const staysagaServices = Object.entries(services).filter(
  ([name, s]) => s.build !== undefined && name !== 'agent',
);
const seedPorts: Record<(typeof SEED_SERVICES)[number], number> = {
  auth: 5001,
  owner: 5002,
  property: 5003,
  booking: 5004,
  traveler: 5005,
};

function environmentOf(service: ComposeService): Env {
  const env = service.environment ?? {};
  if (!Array.isArray(env))
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(
    env.map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema, which rejects a misspelled key', () => {
    const good = runTool(tools.checkJsonschema, [
      '--builtin-schema',
      'vendor.compose-spec',
      'docker-compose.yml',
    ]);
    expect(good.output).toContain('ok');
    expect(good.status).toBe(0);

    const broken = join(scratch, 'docker-compose.broken.yml');
    writeFileSync(broken, composeText.replace(/^( {4})ports:/m, '$1prots:'));
    expect(readFileSync(broken, 'utf8')).toContain('prots:');
    const bad = runTool(tools.checkJsonschema, ['--builtin-schema', 'vendor.compose-spec', broken]);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/prots/);
  });

  it('follows the Compose Specification: no top-level version, a named network', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(compose.networks ?? {})).toEqual(['staysaga']);
    for (const [name, service] of Object.entries(services)) {
      expect(service.networks, name).toEqual(['staysaga']);
    }
  });

  it('runs every StaySaga process from one tagged image, started only once its servers are healthy', () => {
    expect(staysagaServices.map(([name]) => name).sort()).toEqual(
      [...SEED_SERVICES, 'worker', 'bridge', 'notifier'].sort(),
    );
    for (const [name, service] of staysagaServices) {
      expect(service.build, name).toBe('.');
      expect(service.image, name).toMatch(STAYSAGA_IMAGE);
      const deps = service.depends_on as Record<string, { condition: string }>;
      for (const server of ['kafka', 'mongo', 'temporal']) {
        expect(deps[server], `${name} -> ${server}`).toEqual({ condition: 'service_healthy' });
      }
      expect(deps['temporal-search-attributes'], name).toEqual({
        condition: 'service_completed_successfully',
      });
      // The Kafka users, topics and ACLs exist before any StaySaga process logs in.
      expect(deps['kafka-init'], name).toEqual({ condition: 'service_completed_successfully' });
      expect(deps.mail, name).toEqual({ condition: 'service_healthy' });
    }
    // The shared settings live once, in extension fields, and are merged into each service.
    expect(composeText).toMatch(/^x-staysaga: &staysaga$/m);
    // ... and into the agent's.
    expect(composeText.match(/^ {4}<<: \*staysaga$/gm)).toHaveLength(staysagaServices.length + 1);
  });

  it('serves each seed service on its own port (5001-5005) with API_SERVICES naming it', () => {
    for (const seed of SEED_SERVICES) {
      const service = services[seed]!;
      const env = environmentOf(service);
      expect(service.command, seed).toEqual(['api']);
      expect(env.API_SERVICES, seed).toBe(seed);
      expect(env.PORT, seed).toBe(String(seedPorts[seed]));
      expect(service.ports, seed).toEqual([`${seedPorts[seed]}:${seedPorts[seed]}`]);
    }
    for (const name of ['worker', 'bridge', 'notifier']) {
      const service = services[name]!;
      expect(service.command, name).toEqual([name]);
      // Unpublished, so `--scale` can run any number of replicas side by side.
      expect(service.ports, name).toBeUndefined();
      expect(environmentOf(service).HEALTH_PORT, name).toBe('8080');
    }
  });

  it("gives every StaySaga process the seed's ConfigMap keys and the in-network addresses", () => {
    for (const [name, service] of staysagaServices) {
      const env = environmentOf(service);
      expect(env, name).toMatchObject({
        KAFKA_BROKERS: 'kafka:9092',
        KAFKA_REQUEST_TOPIC: 'booking-requests',
        KAFKA_RESPONSE_TOPIC: 'booking-updates',
        TEMPORAL_ADDRESS: 'temporal:7233',
        MONGODB_URI: 'mongodb://mongo:27017/staysaga?replicaSet=rs0',
        HOST: '0.0.0.0',
        SMTP_URL: 'smtp://mail:1025',
        // Secure Kafka: the role principals may not create topics, kafka-init does.
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_ENSURE_TOPICS: 'false',
      });
    }
  });

  it("logs each StaySaga process in to Kafka as its role's own principal, the password from .env", () => {
    for (const [name, service] of staysagaServices) {
      const component = service.command![0] as keyof typeof COMPONENT_ROLES;
      const role = COMPONENT_ROLES[component];
      expect(role, name).toBeDefined();
      const env = environmentOf(service);
      expect(env.KAFKA_SASL_USERNAME, name).toBe(KAFKA_PRINCIPALS[role]);
      expect(env.KAFKA_SASL_PASSWORD, name).toBe(
        `\${KAFKA_${role.toUpperCase()}_PASSWORD:?set it in .env}`,
      );
    }
  });

  it('runs Kafka as one KRaft node (no Zookeeper) that StaySaga reaches as kafka:9092', () => {
    const kafka = services.kafka!;
    expect(kafka.image).toBe('apache/kafka:4.4.0');
    const env = environmentOf(kafka);
    expect(env).toMatchObject({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_ADVERTISED_LISTENERS: 'CLIENT://kafka:9092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    expect(env.KAFKA_LISTENERS).toContain('CLIENT://:9092');
    expect(env.KAFKA_LISTENERS).toContain('CONTROLLER://:9093');
    expect(Object.keys(env).some((k) => /zookeeper/i.test(k))).toBe(false);
    expect(Object.keys(services).some((k) => /zookeeper/i.test(k))).toBe(false);
    expect(JSON.stringify(kafka.healthcheck?.test)).toContain('kafka-broker-api-versions.sh');
    // The healthcheck logs in: nothing answers an anonymous client.
    expect(JSON.stringify(kafka.healthcheck?.test)).toContain('--command-config');
  });

  it('secures Kafka: SASL on every listener, SCRAM for clients, ACLs with no access by default', () => {
    const kafka = services.kafka!;
    const env = environmentOf(kafka);
    expect(env).toMatchObject(SECURE_KAFKA_BROKER_ENV);
    expect(Object.values(env).join(' ')).not.toMatch(/PLAINTEXT:\/\/|:PLAINTEXT(,|$)/);
    // JAAS settings name their passwords from .env, never a literal.
    const jaas = Object.entries(env).filter(([key]) => key.endsWith('_SASL_JAAS_CONFIG'));
    expect(jaas.map(([key]) => key).sort()).toEqual([
      'KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG',
      'KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG',
    ]);
    for (const [key, value] of jaas) {
      const passwords = [...value.matchAll(/(?:password|user_[\w-]+)="([^"]*)"/g)].map((m) => m[1]);
      expect(passwords.length, key).toBeGreaterThan(0);
      for (const password of passwords) {
        expect(password, key).toMatch(/^\$\{KAFKA_[A-Z]+_PASSWORD:\?set it in \.env\}$/);
      }
    }
    // The first start formats the storage with the admin's and the broker's SCRAM users.
    const start = ([] as string[]).concat(kafka.command ?? []).join('\n');
    expect(start).toContain('kafka-storage.sh format');
    expect(start).toContain(
      '--add-scram "SCRAM-SHA-512=[name=staysaga-admin,password=$$SCRAM_ADMIN_PASSWORD]"',
    );
    expect(start).toContain(
      '--add-scram "SCRAM-SHA-512=[name=staysaga-broker,password=$$SCRAM_BROKER_PASSWORD]"',
    );
    expect(start.trimEnd()).toMatch(/exec \/etc\/kafka\/docker\/run$/);
    // Only the command reads these: a KAFKA_* variable would become a broker property.
    expect(env.SCRAM_ADMIN_PASSWORD).toBe('${KAFKA_ADMIN_PASSWORD:?set it in .env}');
    expect(env.SCRAM_BROKER_PASSWORD).toBe('${KAFKA_BROKER_PASSWORD:?set it in .env}');
  });

  it('creates the role users, topics and ACLs of kafka/acl-plan.ts with a one-shot kafka-init', () => {
    const init = services['kafka-init']!;
    expect(init.image).toBe(services.kafka!.image);
    expect(init.restart).toBe('no');
    expect(init.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    // `$$` is compose's escape for the container shell's `$`.
    const script = ([] as string[])
      .concat(init.entrypoint ?? [])
      .join('\n')
      .replaceAll('$$', '$');
    const lines = script.split('\n').map((line) => line.trim());
    expect(lines.filter((line) => line.startsWith('acl --'))).toEqual(aclShellLines());
    const users = lines
      .filter((line) => line.startsWith('scram_user '))
      .map((line) => line.split(' ')[1]);
    expect(users).toEqual(INIT_SCRIPT_USERS);
    expect(script).toContain('username=\\"staysaga-admin\\"');
    expect(script).toContain('--add-config "SCRAM-SHA-512=[password=$2]"');
    expect(script).toContain('--create --if-not-exists --topic "$1"');
    expect(script).toContain(
      'for t in "$KAFKA_REQUEST_TOPIC" "$KAFKA_RESPONSE_TOPIC"; do topic "$t"; topic "$t.DLT"; done',
    );
    expect(script).toContain(
      `topic "$KAFKA_LIVE_EVENTS_TOPIC" --config retention.ms=${LIVE_EVENTS_RETENTION_MS}`,
    );
    const env = environmentOf(init);
    expect(env).toMatchObject({
      KAFKA_BROKERS: 'kafka:9092',
      KAFKA_REQUEST_TOPIC: 'booking-requests',
      KAFKA_RESPONSE_TOPIC: 'booking-updates',
      KAFKA_LIVE_EVENTS_TOPIC: 'user-events',
    });
    for (const role of ['admin', 'traveler', 'owner', 'notifier', 'bridge']) {
      const upper = role.toUpperCase();
      expect(env[`${upper}_PASSWORD`], role).toBe(`\${KAFKA_${upper}_PASSWORD:?set it in .env}`);
    }
  });

  it('runs Mailpit, the release the embedded stack runs, for SMTP on 1025 and its web UI on 8025', () => {
    const mail = services.mail!;
    expect(mail.image).toBe(`axllent/mailpit:${MAILPIT_VERSION}`);
    expect(mail.ports).toEqual(['8025:8025']);
    expect(mail.healthcheck?.test).toEqual(['CMD', '/mailpit', 'readyz']);
    for (const [name, service] of staysagaServices) {
      expect(environmentOf(service).SMTP_URL, name).toBe('smtp://mail:1025');
    }
  });

  it('runs MongoDB as a replica set whose healthcheck initiates it and waits for PRIMARY', () => {
    const mongo = services.mongo!;
    expect(mongo.command).toEqual(['--replSet', 'rs0', '--bind_ip_all']);
    const probe = JSON.stringify(mongo.healthcheck?.test);
    expect(probe).toContain('rs.initiate');
    expect(probe).toContain("host: 'mongo:27017'");
    expect(probe).toContain('isWritablePrimary');
  });

  it('runs Temporal on PostgreSQL, its schemas set up first, and registers exactly the booking search attributes', () => {
    const temporal = services.temporal!;
    expect(environmentOf(temporal)).toMatchObject({
      DB: 'postgres12',
      DB_PORT: '5432',
      POSTGRES_SEEDS: 'postgresql',
      POSTGRES_PWD: '${TEMPORAL_DB_PASSWORD:?set it in .env}',
      BIND_ON_IP: '0.0.0.0',
    });
    expect(temporal.depends_on).toEqual({
      postgresql: { condition: 'service_healthy' },
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    // temporalio/server ships no CLI: the probe is the frontend's port, from inside.
    expect(JSON.stringify(temporal.healthcheck?.test)).toContain('nc -z 127.0.0.1 7233');
    expect(JSON.stringify(services.postgresql!.healthcheck?.test)).toContain('pg_isready');

    // The schemas, as the cluster sets them up (stack/cluster/temporal-cluster.ts setupSchemas).
    const schema = services['temporal-schema']!;
    expect(schema.restart).toBe('no');
    expect(schema.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(environmentOf(schema)).toMatchObject({
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: 'postgresql',
      SQL_PORT: '5432',
      SQL_PASSWORD: '${TEMPORAL_DB_PASSWORD:?set it in .env}',
    });
    const setup = ([] as string[])
      .concat(schema.entrypoint ?? [])
      .join('\n')
      .replaceAll('$$', '$');
    expect(setup).toContain('for pair in temporal:temporal temporal_visibility:visibility; do');
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d "$dir"']) {
      expect(setup).toContain(`temporal-sql-tool --db "$db" ${step}`);
    }
    expect(setup).toContain('schema=/etc/temporal/schema/postgresql/v12');

    const oneShot = services['temporal-search-attributes']!;
    expect(oneShot.restart).toBe('no');
    expect(oneShot.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    const script = ([] as string[]).concat(oneShot.entrypoint ?? []).join('\n');
    // Nothing else creates the namespace since the auto-setup image is gone.
    expect(script).toContain('temporal operator namespace create');
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toMatch(/already exists/);
    // The same names and types the workflow code writes (workflows/booking-definitions.ts).
    const registered = [...script.matchAll(/\b([A-Z]\w+):(Keyword|Datetime)\b/g)].map(
      ([, name, type]) => `${name}:${type!.toUpperCase()}`,
    );
    const expected = Object.values(searchAttributes).map((key) => `${key.name}:${key.type}`);
    expect(registered.sort()).toEqual(expected.sort());
  });

  it('pins every image to an explicit tag other than latest', () => {
    for (const [name, service] of Object.entries(services)) {
      const image = service.image;
      expect(image, name).toBeDefined();
      if (service.build !== undefined) {
        expect(image, name).toMatch(STAYSAGA_IMAGE);
        continue;
      }
      const tag = /^[\w./-]+:([\w.-]+)$/.exec(image!)?.[1];
      expect(tag, `${name}: ${image}`).toBeDefined();
      expect(tag, name).not.toBe('latest');
      // A release, not a bare major: at least major.minor (Mailpit tags theirs v1.33.1).
      expect(tag, `${name}: ${image}`).toMatch(/^v?\d+\.\d+/);
    }
  });

  it('commits no secret: every password, secret or token setting is a ${VAR} reference without a default', () => {
    let checked = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environmentOf(service))) {
        if (!/pass|pwd|secret|token|credential/i.test(key)) continue;
        checked += 1;
        expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z][A-Z0-9_]*(:?\?[^}]*)?\}$/);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2); // PostgreSQL's password and Temporal's copy of it
    expect(read('.gitignore').split('\n')).toContain('.env');
    // Inside values and scripts too: every password= names a variable, never a literal.
    const passwords = [...composeText.matchAll(/password=\\?"?(\S{0,12})/gi)];
    expect(passwords.length).toBeGreaterThanOrEqual(6);
    for (const [, value] of passwords) {
      expect(value, `password=${value}`).toMatch(/^\$\$?([A-Z_]|\{[A-Z_]|\d)/);
    }
  });

  it('keeps long-running services restarting and health-checked', () => {
    const oneShots = Object.entries(services).filter(([, s]) => s.restart === 'no');
    expect(oneShots.map(([name]) => name).sort()).toEqual([
      'kafka-init',
      'ollama-pull',
      'temporal-schema',
      'temporal-search-attributes',
    ]);
    for (const [name, service] of Object.entries(services)) {
      if (service.restart === 'no') continue;
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.healthcheck, name).toBeDefined();
      if (service.build === undefined) {
        expect(service.healthcheck?.test, name).toBeDefined();
      }
    }
    // StaySaga's processes take the probe from the image's HEALTHCHECK, which has one.
    expect(read('Dockerfile')).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \[/m);
  });

  it('keeps server data in named volumes that are declared and used', () => {
    const declared = Object.keys(compose.volumes ?? {}).sort();
    expect(declared).toEqual(['kafka-data', 'mongo-data', 'ollama-data', 'postgresql-data']);
    const used = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]);
    expect(used.sort()).toEqual(declared);
    expect(services.kafka!.volumes).toEqual(['kafka-data:/var/lib/kafka/data']);
    expect(services.mongo!.volumes).toEqual(['mongo-data:/data/db']);
    expect(services.postgresql!.volumes).toEqual(['postgresql-data:/var/lib/postgresql/data']);
    expect(services.ollama!.volumes).toEqual(['ollama-data:/root/.ollama']);
  });

  it('runs the agent from the same image on 8000 against Ollama, its model pulled by a one-shot job', () => {
    const agent = services.agent!;
    expect(agent.build).toBe('.');
    expect(agent.image).toMatch(STAYSAGA_IMAGE);
    expect(agent.command).toEqual(['agent']);
    // Only the API reaches it, inside the network.
    expect(agent.ports).toBeUndefined();
    const env = environmentOf(agent);
    expect(env).toMatchObject({
      AGENT_PORT: '8000',
      AGENT_LLM_URL: 'http://ollama:11434/v1',
      AGENT_LLM_MODEL: '${AGENT_MODEL:-llama3.2:1b}',
      AGENT_API_KEY: '${AGENT_API_KEY:?set it in .env}',
      HOST: '0.0.0.0',
    });
    // No broker, database or workflow credentials: it needs none.
    expect(Object.keys(env).filter((k) => /KAFKA|MONGO|TEMPORAL/.test(k))).toEqual([]);
    expect(agent.depends_on).toEqual({
      ollama: { condition: 'service_healthy' },
      'ollama-pull': { condition: 'service_completed_successfully' },
    });
    expect(JSON.stringify(agent.healthcheck?.test)).toContain('http://127.0.0.1:8000/health');
    // The traveler API (which serves /api/agent) calls it with the same key.
    expect(environmentOf(services.traveler!)).toMatchObject({
      AGENT_URL: 'http://agent:8000',
      AGENT_API_KEY: env.AGENT_API_KEY,
    });

    const ollama = services.ollama!;
    expect(ollama.image).toMatch(/^ollama\/ollama:\d+\.\d+\.\d+$/);
    expect(ollama.healthcheck?.test).toEqual(['CMD', 'ollama', 'list']);
    const pull = services['ollama-pull']!;
    expect(pull.image).toBe(ollama.image);
    expect(pull.depends_on).toEqual({ ollama: { condition: 'service_healthy' } });
    expect(environmentOf(pull)).toMatchObject({
      OLLAMA_HOST: 'http://ollama:11434',
      AGENT_MODEL: '${AGENT_MODEL:-llama3.2:1b}',
    });
    expect(([] as string[]).concat(pull.entrypoint ?? []).join('\n')).toContain(
      'ollama pull "$$AGENT_MODEL"',
    );
  });

  it('documents in .env.example every variable the compose file reads', () => {
    // `$$` escapes a `$` for the container's shell; only `${VAR}` is interpolated by compose.
    const used = new Set(
      [...composeText.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map(([, name]) => name!),
    );
    expect(used).toContain('TEMPORAL_DB_PASSWORD');
    const example = read('.env.example');
    const listed = new Map(
      [...example.matchAll(/^([A-Z_][A-Z0-9_]*)=(.*)$/gm)].map(([, k, v]) => [k!, v!]),
    );
    for (const name of used) expect(listed.has(name), name).toBe(true);
    expect(listed.get('TEMPORAL_DB_PASSWORD')).toBe('change-me');
    // Every password is a placeholder; Kafka's: one per principal.
    const passwords = [...listed].filter(([key]) => /PASSWORD/.test(key));
    for (const [key, value] of passwords) expect(value, key).toBe('change-me');
    expect(passwords.map(([key]) => key).filter((key) => key.startsWith('KAFKA_'))).toEqual(
      ['ADMIN', 'BROKER', 'CONTROLLER', 'TRAVELER', 'OWNER', 'NOTIFIER', 'BRIDGE'].map(
        (who) => `KAFKA_${who}_PASSWORD`,
      ),
    );
  });
});

// ---- Dockerfile ---------------------------------------------------------------------------------

const dockerfile = read('Dockerfile');
/** Instructions with their line continuations joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const stages = instructions.reduce<string[][]>((all, line) => {
  if (/^FROM\s/i.test(line)) all.push([]);
  all.at(-1)?.push(line);
  return all;
}, []);
const runtime = stages.at(-1) ?? [];

describe('the Dockerfile', () => {
  it('passes hadolint at warning level, which fails a Dockerfile FROM node:latest', () => {
    const good = runTool(tools.hadolint, ['--config', '.hadolint.yaml', 'Dockerfile']);
    expect(good.output).toBe('');
    expect(good.status).toBe(0);

    const bad = join(scratch, 'Dockerfile.latest');
    writeFileSync(bad, 'FROM node:latest\nCMD ["node"]\n');
    const lint = runTool(tools.hadolint, ['--config', '.hadolint.yaml', '--no-color', bad]);
    expect(lint.status).not.toBe(0);
    expect(lint.output).toContain('DL3007');
  });

  it('ignores no hadolint rule without a reason', () => {
    const config = parse(read('.hadolint.yaml')) as {
      'failure-threshold': string;
      ignored?: string[];
    };
    expect(config['failure-threshold']).toBe('warning');
    for (const rule of config.ignored ?? []) {
      expect(read('.hadolint.yaml')).toMatch(new RegExp(`${rule}.*#|#.*\\n\\s*- ${rule}`));
    }
  });

  it('builds in stages from a pinned Node 20 release and bundles the workflows at build time', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage[0]).toMatch(/^FROM node:20\.\d+\.\d+-[a-z-]+ AS \w+$/);
    }
    const build = stages[0]!;
    expect(build).toContain('RUN npm ci --no-audit --no-fund');
    expect(build).toContain('RUN npm run build:workflows /app/build/workflow-bundle.js');
    expect(runtime).toContain(
      'COPY --from=build /app/build/workflow-bundle.js ./build/workflow-bundle.js',
    );
  });

  it('runs as a non-root user with production dependencies and the pre-built bundle', () => {
    const user = runtime.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    expect(runtime.some((line) => /^RUN npm ci --omit=dev\b/.test(line))).toBe(true);
    const env = runtime.filter((line) => line.startsWith('ENV ')).join(' ');
    expect(env).toContain('WORKFLOW_BUNDLE_PATH=/app/build/workflow-bundle.js');
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toContain('NODE_ENV=production');
    expect(runtime).toContain('ENTRYPOINT ["node", "--import", "tsx", "processes/main.ts"]');
    expect(runtime).toContain('CMD ["api"]');
    expect(runtime.some((line) => /^EXPOSE .*\b3000\b.*\b8080\b/.test(line))).toBe(true);
  });

  it('copies every source directory the entry points import, and no tests or tooling', () => {
    const copied = new Set(
      runtime
        .map((line) => /^COPY (?!--from)(\S+) \.\/\1$/.exec(line)?.[1])
        .filter((dir): dir is string => dir !== undefined),
    );
    const needed = importedTopLevelDirs(['processes/main.ts', 'scripts/seed.ts', 'ops/cli.ts']);
    expect(needed).toContain('workflows');
    for (const dir of needed) expect(copied.has(dir), dir).toBe(true);
    for (const dir of ['test', 'bench', 'stack', 'k8s']) expect(copied.has(dir), dir).toBe(false);
    for (const dir of copied) expect(existsSync(join(ROOT, dir)), dir).toBe(true);
  });

  it('has a healthcheck that answers for an API process (PORT) and for any other (HEALTH_PORT)', async () => {
    const line = runtime.find((l) => l.startsWith('HEALTHCHECK '));
    expect(line).toMatch(/--start-period=\d+s/);
    const exec = JSON.parse(line!.slice(line!.indexOf('CMD ') + 4)) as string[];
    expect(exec.slice(0, 2)).toEqual(['node', '-e']);
    // Asynchronously: the servers it probes run in this process.
    const probe = (env: Env) =>
      new Promise<number | null>((done) => {
        execFile(
          exec[0]!,
          exec.slice(1),
          { env: { ...process.env, ...env }, timeout: 20_000 },
          (error) => done(error ? (typeof error.code === 'number' ? error.code : null) : 0),
        );
      });

    const api = await listen(200);
    const failing = await listen(503);
    const healthPort = await freePort();
    const health = await startHealthServer(healthPort, '127.0.0.1', ['worker']);
    const closed = await freePort(); // nothing listens here
    try {
      // worker, bridge, notifier: nothing on PORT, the health server on HEALTH_PORT
      expect(await probe({ PORT: String(closed), HEALTH_PORT: String(healthPort) })).toBe(0);
      // an API process: /health on PORT
      expect(await probe({ PORT: String(port(api)), HEALTH_PORT: String(closed) })).toBe(0);
      // nothing answers, or the API answers but is not healthy
      expect(await probe({ PORT: String(closed), HEALTH_PORT: String(closed) })).toBe(1);
      expect(await probe({ PORT: String(port(failing)), HEALTH_PORT: String(healthPort) })).toBe(1);
    } finally {
      await health.stop();
      await close(api);
      await close(failing);
    }
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, history, tests, data and secrets out of the build context', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const entry of [
      'node_modules',
      '.git',
      'test',
      'bench',
      '.data',
      'build',
      'coverage',
      'k8s',
      '*.log',
      '.env',
    ]) {
      expect(patterns, entry).toContain(entry);
    }
    // Nothing the image copies is ignored.
    for (const dir of [
      'domain',
      'workflows',
      'processes',
      'config',
      'package.json',
      'package-lock.json',
    ]) {
      expect(patterns, dir).not.toContain(dir);
    }
  });
});

// ---- helpers ------------------------------------------------------------------------------------

/** The top-level directories reachable through relative imports from the given entry files. */
function importedTopLevelDirs(entries: string[]): string[] {
  const seen = new Set<string>();
  const dirs = new Set<string>();
  const queue = entries.map((entry) => join(ROOT, entry));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    dirs.add(relative(ROOT, file).split('/')[0]!);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), spec!);
      const candidates = [target.replace(/\.js$/, '.ts'), target, join(target, 'index.ts')];
      const found = candidates.find((c) => existsSync(c) && !isDirectory(c));
      if (found) queue.push(found);
    }
  }
  // processes/start-system.ts (npm start) is not reached from processes/main.ts, so stack/ is not.
  return [...dirs].filter((d) => !d.includes('.')).sort();
}

function isDirectory(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

function listen(status: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{}');
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

const port = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));

async function freePort(): Promise<number> {
  const server = await listen(200);
  const free = port(server);
  await close(server);
  return free;
}
