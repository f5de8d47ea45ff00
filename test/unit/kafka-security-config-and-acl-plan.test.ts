/**
 * The Kafka security settings (config/env.ts, kafka/client.ts), the ACL plan every environment
 * applies (kafka/acl-plan.ts), and the console producer's input checks (stack/kafka-console.ts),
 * without a broker. test/faults/kafka-sasl-acls-refuse-forged-decisions.test.ts proves them on one.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env.js';
import kafkajs from 'kafkajs';
import {
  aclPlan,
  aclShellLines,
  COMPONENT_ROLES,
  KAFKA_PRINCIPALS,
  SUPER_USERS,
  toKafkajsAcls,
} from '../../kafka/acl-plan.js';
import { kafkaSecurity } from '../../kafka/client.js';
import { produceWithConsoleProducer } from '../../stack/kafka-console.js';
import {
  clientProperties,
  kafkaPrincipalEnv,
  kafkaPrincipalForComponents,
  kafkaSecurityModeFromEnv,
  outputTail,
  type KafkaPrincipals,
} from '../../stack/kafka.js';

const { ResourcePatternTypes } = kafkajs;

describe('the Kafka security settings', () => {
  it('are plaintext, creating topics, when nothing is set (or set empty)', () => {
    for (const env of [{}, { KAFKA_SASL_MECHANISM: '', KAFKA_SSL: '', KAFKA_ENSURE_TOPICS: '' }]) {
      const config = loadConfig(env);
      expect(config.KAFKA_SASL_MECHANISM).toBeUndefined();
      expect(config.KAFKA_SSL).toBe(false);
      expect(config.KAFKA_ENSURE_TOPICS).toBe(true);
      expect(kafkaSecurity(config)).toEqual({});
    }
  });

  it('log in with SASL and TLS when asked, topics left to an admin step', () => {
    const config = loadConfig({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'staysaga-owner',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_SSL: 'true',
      KAFKA_ENSURE_TOPICS: 'false',
    });
    expect(config.KAFKA_ENSURE_TOPICS).toBe(false);
    expect(kafkaSecurity(config)).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'staysaga-owner', password: 'secret' },
    });
  });

  it('refuse a mechanism without its credentials, naming what is missing', () => {
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'x' })).toThrow(
      'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set (plain)',
    );
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(
      /KAFKA_SASL_USERNAME: required .*; KAFKA_SASL_PASSWORD: required/,
    );
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(ConfigError);
    expect(() => loadConfig({ KAFKA_SSL: 'maybe' })).toThrow(/KAFKA_SSL/);
  });

  it('STAYSAGA_KAFKA_SECURITY chooses the embedded mode, plaintext unless scram', () => {
    expect(kafkaSecurityModeFromEnv({})).toBe('plaintext');
    expect(kafkaSecurityModeFromEnv({ STAYSAGA_KAFKA_SECURITY: '' })).toBe('plaintext');
    expect(kafkaSecurityModeFromEnv({ STAYSAGA_KAFKA_SECURITY: 'scram' })).toBe('scram');
    expect(() => kafkaSecurityModeFromEnv({ STAYSAGA_KAFKA_SECURITY: 'sasl' })).toThrow(
      /plaintext, scram/,
    );
  });
});

describe('the ACL plan', () => {
  const topics = { requests: 'booking-requests', updates: 'booking-updates' };
  const grants = aclPlan(topics).map(
    (g) => `${g.principal} ${g.operation} ${g.resourceType}:${g.resourceName}`,
  );

  it('grants each role exactly what it needs, and nothing on the cluster', () => {
    expect(grants.sort()).toEqual(
      [
        'User:staysaga-traveler WRITE TOPIC:booking-requests',
        'User:staysaga-traveler DESCRIBE TOPIC:booking-requests',
        'User:staysaga-owner WRITE TOPIC:booking-updates',
        'User:staysaga-owner DESCRIBE TOPIC:booking-updates',
        'User:staysaga-notifier READ TOPIC:booking-requests',
        'User:staysaga-notifier READ GROUP:staysaga-owner-notifier',
        'User:staysaga-notifier WRITE TOPIC:booking-requests.DLT',
        'User:staysaga-bridge READ TOPIC:booking-updates',
        'User:staysaga-bridge READ GROUP:staysaga-booking-updates-bridge',
        'User:staysaga-bridge WRITE TOPIC:booking-updates.DLT',
        // Live events: written by the worker and the notifier, read by every API process.
        'User:staysaga-traveler WRITE TOPIC:user-events',
        'User:staysaga-notifier WRITE TOPIC:user-events',
        'User:staysaga-owner READ TOPIC:user-events',
        'User:staysaga-owner READ GROUP:staysaga-api-live-',
      ].sort(),
    );
    // Each API process reads them in a group of its own: granted by prefix, the rest literally.
    const prefixed = aclPlan(topics).filter((g) => g.patternType === 'PREFIXED');
    expect(prefixed.map((g) => `${g.principal} ${g.resourceType}:${g.resourceName}`)).toEqual([
      'User:staysaga-owner GROUP:staysaga-api-live-',
    ]);
    expect(toKafkajsAcls(prefixed)[0]?.resourcePatternType).toBe(ResourcePatternTypes.PREFIXED);
    // No principal of a role may write what another role writes.
    const writers = (topic: string) =>
      aclPlan(topics)
        .filter((g) => g.operation === 'WRITE' && g.resourceName === topic)
        .map((g) => g.role);
    expect(writers('booking-updates')).toEqual(['owner']);
    expect(writers('booking-requests')).toEqual(['traveler']);
    expect(SUPER_USERS).toEqual([
      'User:staysaga-admin',
      'User:staysaga-broker',
      'User:staysaga-controller',
    ]);
  });

  it('takes the topic names from the configuration', () => {
    const renamed = aclPlan({ requests: 'req', updates: 'upd', liveEvents: 'live' }).map(
      (g) => g.resourceName,
    );
    expect(new Set(renamed)).toEqual(
      new Set([
        'req',
        'upd',
        'req.DLT',
        'upd.DLT',
        'live',
        'staysaga-owner-notifier',
        'staysaga-booking-updates-bridge',
        'staysaga-api-live-',
      ]),
    );
    // Without a live-events topic named, the default one.
    expect(aclPlan({ requests: 'req', updates: 'upd' }).map((g) => g.resourceName)).toContain(
      'user-events',
    );
  });

  it('renders as kafka-acls.sh calls for the init scripts, one per principal and resource', () => {
    const lines = aclShellLines();
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe(
      'acl --allow-principal User:staysaga-traveler --operation Write --operation Describe --topic "${KAFKA_REQUEST_TOPIC}"',
    );
    expect(lines).toContain(
      'acl --allow-principal User:staysaga-bridge --operation Read --group "staysaga-booking-updates-bridge"',
    );
    expect(lines).toContain(
      'acl --allow-principal User:staysaga-owner --operation Read --topic "${KAFKA_LIVE_EVENTS_TOPIC}"',
    );
    expect(lines).toContain(
      'acl --allow-principal User:staysaga-owner --operation Read --resource-pattern-type prefixed --group "staysaga-api-live-"',
    );
  });

  it('gives one process the principal its components share, else the admin', () => {
    const principals = Object.fromEntries(
      Object.entries(KAFKA_PRINCIPALS).map(([role, username]) => [
        role,
        { username, password: `${role}-pw` },
      ]),
    ) as KafkaPrincipals;
    const as = (components: string | undefined) =>
      kafkaPrincipalForComponents(principals, components).username;
    expect(as('api')).toBe('staysaga-owner');
    expect(as('worker')).toBe('staysaga-traveler');
    expect(as('bridge')).toBe('staysaga-bridge');
    expect(as('notifier')).toBe('staysaga-notifier');
    expect(as(undefined)).toBe('staysaga-admin');
    expect(as('all')).toBe('staysaga-admin');
    expect(as('api,worker')).toBe('staysaga-admin');
    expect(Object.keys(COMPONENT_ROLES).sort()).toEqual(['api', 'bridge', 'notifier', 'worker']);
    expect(kafkaPrincipalEnv(principals.owner)).toEqual({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'staysaga-owner',
      KAFKA_SASL_PASSWORD: 'owner-pw',
      KAFKA_ENSURE_TOPICS: 'false',
    });
    expect(kafkaPrincipalEnv(principals.admin).KAFKA_ENSURE_TOPICS).toBe('true');
  });
});

describe("Kafka's own tools", () => {
  it('get client properties that quote and escape the credentials', () => {
    expect(clientProperties(undefined)).toBe('');
    const text = clientProperties({
      mechanism: 'scram-sha-512',
      username: 'staysaga-owner',
      password: 'a"b\\c',
    });
    expect(text).toContain('security.protocol=SASL_PLAINTEXT\n');
    expect(text).toContain('sasl.mechanism=SCRAM-SHA-512\n');
    // JAAS escapes " and \ inside quotes; a properties file doubles every backslash again.
    expect(text).toContain(
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="staysaga-owner" password="a\\\\"b\\\\\\\\c";',
    );
    expect(clientProperties({ mechanism: 'plain', username: 'u', password: 'p' }, true)).toContain(
      'security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule',
    );
  });

  it('fail with a readable tail: stack frames dropped, a repeated warning counted once', () => {
    const output = [
      '10:00:00.001 WARN Bootstrap broker 127.0.0.1:9092 disconnected (NetworkClient)',
      '10:00:00.201 WARN Bootstrap broker 127.0.0.1:9092 disconnected (NetworkClient)',
      'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: x',
      '\tat org.apache.kafka.tools.ConsoleProducer.send(ConsoleProducer.java:109)',
      '\t... 3 more',
    ].join('\n');
    expect(outputTail(output)).toBe(
      [
        '10:00:00.001 WARN Bootstrap broker 127.0.0.1:9092 disconnected (NetworkClient) (x2)',
        'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: x',
      ].join('\n'),
    );
  });

  it('refuse records the line-oriented console producer would split, before starting it', async () => {
    const produce = (key: string | null, value: string) =>
      produceWithConsoleProducer({ brokers: '127.0.0.1:1', topic: 't', records: [{ key, value }] });
    await expect(produce('k', '{\n  "pretty": true\n}')).rejects.toThrow(/line break/);
    await expect(produce('a\u001fb', '{}')).rejects.toThrow(/key separator/);
    await expect(produce('a\nb', '{}')).rejects.toThrow(/line break/);
    await expect(
      produceWithConsoleProducer({ brokers: [], topic: 't', records: [{ key: 'k', value: '{}' }] }),
    ).rejects.toThrow(/no brokers/);
    expect(
      await produceWithConsoleProducer({ brokers: '127.0.0.1:1', topic: 't', records: [] }),
    ).toMatchObject({ records: 0 });
  });
});
