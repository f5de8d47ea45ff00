/**
 * Who may do what on a secure StaySaga Kafka cluster, defined once: the principal of each role,
 * the broker's own principals, and every ACL. The embedded stack applies this plan through
 * kafkajs (stack/kafka.ts); docker-compose.yml and k8s/ apply the same plan with Kafka's own
 * tools from an init script whose lines are rendered here (`npx tsx kafka/acl-plan.ts`) and
 * checked against this module by test/deploy.
 *
 * The cluster authorizes with KRaft's StandardAuthorizer and allow.everyone.if.no.acl.found=false,
 * so whatever is not granted here is refused. Kafka implies DESCRIBE from READ and WRITE, and
 * since KIP-679 (Kafka 3.0) WRITE on any topic also allows an idempotent producer (its
 * InitProducerId), so no principal needs IDEMPOTENT_WRITE on the cluster.
 */
import { fileURLToPath } from 'node:url';
import kafkajs, { type AclEntry, type Kafka } from 'kafkajs';
import { deadLetterTopic } from './dead-letters.js';
import { BRIDGE_GROUP_ID } from '../processes/booking-updates-bridge.js';
import { NOTIFIER_GROUP_ID } from '../processes/owner-notifier.js';
import { LIVE_EVENTS_GROUP_PREFIX } from './live-events.js';
import { ensureBookingTopics, liveEventsTopic, type BookingTopics } from './topics.js';

// Not named imports: Node cannot see these among kafkajs's CommonJS exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** The roles of the StaySaga processes, each with its own principal. */
export const KAFKA_ROLES = ['traveler', 'owner', 'notifier', 'bridge', 'admin'] as const;
export type KafkaRole = (typeof KAFKA_ROLES)[number];

/** Usernames (SCRAM) = principal names (`User:<name>`), one per role. */
export const KAFKA_PRINCIPALS: Record<KafkaRole, string> = {
  // The traveler side: the Temporal worker publishes booking-created (and the saga's live events).
  traveler: 'staysaga-traveler',
  // The owner side: the API publishes the owners' decisions (and reads the live events).
  owner: 'staysaga-owner',
  // Consumes booking-requests and notifies owners (publishing each notification's live event).
  notifier: 'staysaga-notifier',
  // Consumes booking-updates and signals the sagas.
  bridge: 'staysaga-bridge',
  // Super user: topic and ACL creation, the operators' tools.
  admin: 'staysaga-admin',
};

/**
 * The role each StaySaga component (processes/components.ts) logs in as. Every API process is the
 * owner side: only it publishes (the owners' decisions), and it reads the live events; the
 * traveler's requests are published by the worker, as `booking-created`.
 */
export const COMPONENT_ROLES = {
  api: 'owner',
  worker: 'traveler',
  bridge: 'bridge',
  notifier: 'notifier',
} as const satisfies Record<string, KafkaRole>;

/** The broker's own principal between brokers (SCRAM on the client listener). */
export const BROKER_PRINCIPAL = 'staysaga-broker';
/**
 * The principal of the controller listener (broker to controller, controller to controller).
 * It authenticates with SASL/PLAIN against a static JAAS user: SCRAM credentials live in the
 * metadata log the controllers serve, so the controller listener cannot use SCRAM itself.
 */
export const CONTROLLER_PRINCIPAL = 'staysaga-controller';

/** Every super user: no ACL is checked for them. */
export const SUPER_USERS = [KAFKA_PRINCIPALS.admin, BROKER_PRINCIPAL, CONTROLLER_PRINCIPAL].map(
  (name) => `User:${name}`,
);

/** The SCRAM mechanism every StaySaga principal authenticates with. */
export const SCRAM_MECHANISM = 'SCRAM-SHA-512';

export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE';

/**
 * One ALLOW ACL for any host, on a resource name that is literal or a prefix (`PREFIXED`: every
 * name that starts with it, e.g. the API's live-events groups, one per process).
 */
export interface AclGrant {
  role: KafkaRole;
  principal: string;
  resourceType: 'TOPIC' | 'GROUP';
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  operation: AclOperation;
}

/** The consumer groups, from the consumers themselves. */
export const CONSUMER_GROUPS = { notifier: NOTIFIER_GROUP_ID, bridge: BRIDGE_GROUP_ID } as const;

/**
 * The prefix of the API's live-events consumer groups: each API process reads the whole
 * live-events topic in a group of its own, `<prefix><random>` (kafka/live-events.ts).
 */
export const CONSUMER_GROUP_PREFIXES = { owner: LIVE_EVENTS_GROUP_PREFIX } as const;

/** Every ACL of a StaySaga cluster whose booking topics are `topics`. */
export function aclPlan(topics: BookingTopics): AclGrant[] {
  const grantOn =
    (patternType: AclGrant['patternType']) =>
    (
      role: KafkaRole,
      resourceType: AclGrant['resourceType'],
      resourceName: string,
      ...operations: AclOperation[]
    ): AclGrant[] =>
      operations.map((operation) => ({
        role,
        principal: `User:${KAFKA_PRINCIPALS[role]}`,
        resourceType,
        resourceName,
        patternType,
        operation,
      }));
  const grant = grantOn('LITERAL');
  const grantPrefixed = grantOn('PREFIXED');
  const live = liveEventsTopic(topics);
  return [
    ...grant('traveler', 'TOPIC', topics.requests, 'WRITE', 'DESCRIBE'),
    ...grant('owner', 'TOPIC', topics.updates, 'WRITE', 'DESCRIBE'),
    ...grant('notifier', 'TOPIC', topics.requests, 'READ'),
    ...grant('notifier', 'GROUP', CONSUMER_GROUPS.notifier, 'READ'),
    ...grant('notifier', 'TOPIC', deadLetterTopic(topics.requests), 'WRITE'),
    ...grant('bridge', 'TOPIC', topics.updates, 'READ'),
    ...grant('bridge', 'GROUP', CONSUMER_GROUPS.bridge, 'READ'),
    ...grant('bridge', 'TOPIC', deadLetterTopic(topics.updates), 'WRITE'),
    // Live events: the saga (worker) and the notification channel (worker, notifier) write them;
    // every API process reads them all, each in a group of its own under one prefix.
    ...grant('traveler', 'TOPIC', live, 'WRITE'),
    ...grant('notifier', 'TOPIC', live, 'WRITE'),
    ...grant('owner', 'TOPIC', live, 'READ'),
    ...grantPrefixed('owner', 'GROUP', CONSUMER_GROUP_PREFIXES.owner, 'READ'),
  ];
}

/** The plan as kafkajs ACL entries. */
export function toKafkajsAcls(plan: AclGrant[]): AclEntry[] {
  return plan.map((grant) => ({
    resourceType: AclResourceTypes[grant.resourceType],
    resourceName: grant.resourceName,
    resourcePatternType: ResourcePatternTypes[grant.patternType],
    principal: grant.principal,
    host: '*',
    operation: AclOperationTypes[grant.operation],
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

/**
 * Creates the booking topics and every ACL of the plan, as a super user. Idempotent: existing
 * topics and ACLs are left as they are. ACLs the plan no longer has are not removed.
 */
export async function provisionBookingKafka(
  adminKafka: Kafka,
  topics: BookingTopics,
  replicationFactor = 1,
): Promise<void> {
  await ensureBookingTopics(adminKafka, topics, replicationFactor);
  const admin = adminKafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: toKafkajsAcls(aclPlan(topics)) });
  } finally {
    await admin.disconnect();
  }
}

// ---- The same plan for Kafka's own tools (the compose and Kubernetes init scripts) ----------

/** The booking topics as the init scripts name them: from the seed's ConfigMap keys. */
export const SHELL_TOPICS: BookingTopics = {
  requests: '${KAFKA_REQUEST_TOPIC}',
  updates: '${KAFKA_RESPONSE_TOPIC}',
  // Not a seed key: in the scripts' environment from staysaga-config (k8s) or x-staysaga-env.
  liveEvents: '${KAFKA_LIVE_EVENTS_TOPIC}',
};

const TOOL_OPERATION: Record<AclOperation, string> = {
  READ: 'Read',
  WRITE: 'Write',
  DESCRIBE: 'Describe',
};

/**
 * The plan as lines of the init scripts, one `acl` call per principal and resource, where the
 * script defines `acl() { kafka-acls.sh --bootstrap-server ... --command-config ... --add "$@"; }`.
 */
export function aclShellLines(plan: AclGrant[] = aclPlan(SHELL_TOPICS)): string[] {
  const byResource = new Map<string, AclGrant[]>();
  for (const grant of plan) {
    const key = `${grant.principal} ${grant.resourceType} ${grant.patternType} ${grant.resourceName}`;
    byResource.set(key, [...(byResource.get(key) ?? []), grant]);
  }
  return [...byResource.values()].map((grants) => {
    const [first] = grants as [AclGrant];
    const operations = grants.map((g) => `--operation ${TOOL_OPERATION[g.operation]}`).join(' ');
    const resource = first.resourceType === 'TOPIC' ? '--topic' : '--group';
    const pattern = first.patternType === 'PREFIXED' ? ' --resource-pattern-type prefixed' : '';
    return `acl --allow-principal ${first.principal} ${operations}${pattern} ${resource} "${first.resourceName}"`;
  });
}

/**
 * The role users the init scripts create with `scram_user <name> <password>` (the admin and the
 * broker principal are bootstrapped when the storage is formatted, before any admin can log in).
 */
export const INIT_SCRIPT_USERS = KAFKA_ROLES.filter((role) => role !== 'admin').map(
  (role) => KAFKA_PRINCIPALS[role],
);

const isEntryPoint = process.argv[1] === fileURLToPath(import.meta.url);
if (isEntryPoint) {
  process.stdout.write(`${aclShellLines().join('\n')}\n`);
}
