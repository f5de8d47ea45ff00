/**
 * The Kubernetes manifests (k8s/), proven without a cluster: kustomize builds both overlays,
 * kubernetes-validate checks every object against the Kubernetes schemas in strict mode, and
 * semantic checks hold the properties the seed's lab got wrong (a ConfigMap nobody loaded, an
 * Ingress that rewrote every path to /) plus the operational ones (probes, limits, pinned
 * images, replicas, disruption budgets, autoscalers, no secret values).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SEED_SERVICES } from '../../config/env.js';
import {
  aclShellLines,
  COMPONENT_ROLES,
  INIT_SCRIPT_USERS,
  KAFKA_PRINCIPALS,
} from '../../kafka/acl-plan.js';
import { LIVE_EVENTS_RETENTION_MS } from '../../kafka/topics.js';
import { ensureDeployValidators, type ToolCommand } from '../../stack/deploy-validators.js';
import { MAILPIT_VERSION } from '../../stack/mail.js';
import { SECURE_KAFKA_BROKER_ENV } from './secure-kafka-settings.js';

const K8S = fileURLToPath(new URL('../../k8s/', import.meta.url));
const NAMESPACE = 'airbnb-clone';
const OVERLAYS = ['dev', 'prod'] as const;
const SEED_PORTS: Record<string, number> = {
  auth: 5001,
  owner: 5002,
  property: 5003,
  booking: 5004,
  traveler: 5005,
};
const INGRESS_ROUTES: Record<string, string> = {
  '/api/auth': 'auth',
  '/api/notifications': 'auth',
  '/api/events': 'auth',
  '/api/owners': 'owner',
  '/api/properties': 'property',
  '/api/bookings': 'booking',
  '/api/travelers': 'traveler',
};
const STAYSAGA_DEPLOYMENTS = [...SEED_SERVICES, 'worker', 'bridge', 'notifier'];
/** The trip-planning agent: the same image, but no Kafka, Mongo or Temporal of its own. */
const AGENT = 'agent';

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: any };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

let validate: ToolCommand;
let kustomize: ToolCommand;

function runTool(tool: ToolCommand, args: string[], input?: string) {
  const result = spawnSync(tool.command, [...tool.args, ...args], {
    env: { ...process.env, ...tool.env },
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function build(overlay: string): string {
  const result = runTool(kustomize, ['build', `${K8S}overlays/${overlay}`]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as K8sObject;
  });
}

const built = new Map<string, { text: string; objects: K8sObject[] }>();
const objectsOf = (overlay: string) => built.get(overlay)!.objects;
const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

/** The pod template of a workload (Deployment, StatefulSet, Job), if it is one. */
function podTemplate(object: K8sObject): { metadata: any; spec: any } | undefined {
  return ['Deployment', 'StatefulSet', 'Job'].includes(object.kind)
    ? object.spec.template
    : undefined;
}

function allContainers(object: K8sObject): { kind: string; container: any }[] {
  const spec = podTemplate(object)?.spec;
  if (!spec) return [];
  return [
    ...(spec.initContainers ?? []).map((container: any) => ({ kind: 'init', container })),
    ...spec.containers.map((container: any) => ({ kind: 'main', container })),
  ];
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

beforeAll(async () => {
  const tools = await ensureDeployValidators();
  validate = tools.kubernetesValidate;
  kustomize = tools.kustomize;
  for (const overlay of OVERLAYS) {
    const text = build(overlay);
    built.set(overlay, { text, objects: parseObjects(text) });
  }
});

describe('kustomize build and strict schema validation', () => {
  it.each(OVERLAYS)(
    'the %s overlay builds and every object passes kubernetes-validate --strict',
    (overlay) => {
      const { text, objects } = built.get(overlay)!;
      expect(objects.length).toBeGreaterThan(40);
      const result = runTool(validate, ['--strict', '--quiet', '-'], text);
      expect(result.stdout + result.stderr).not.toMatch(/ERROR/);
      expect(result.status).toBe(0);
    },
  );

  it('the secret template (not a kustomize resource) is a valid Secret with placeholders only', () => {
    const path = `${K8S}base/secret.template.yaml`;
    const result = runTool(validate, ['--strict', '--quiet', path]);
    expect(result.status).toBe(0);
    const secret = parse(readFileSync(path, 'utf8')) as K8sObject;
    expect(secret.kind).toBe('Secret');
    expect(secret.metadata.name).toBe('staysaga-secrets');
    expect(Object.keys(secret.stringData ?? {})).toContain('MONGODB_URI');
    for (const value of Object.values(secret.stringData ?? {})) expect(value).toBe('REPLACE_ME');
    expect(secret.data).toBeUndefined();
    const kustomization = readFileSync(`${K8S}base/kustomization.yaml`, 'utf8');
    const resources = (parse(kustomization) as { resources: string[] }).resources;
    expect(resources).not.toContain('secret.template.yaml');
  });

  it('the validator rejects a manifest with a misspelt field (it really checks)', () => {
    const deployment = structuredClone(named(objectsOf('prod'), 'Deployment', 'booking')!);
    deployment.spec.replicaz = deployment.spec.replicas;
    delete deployment.spec.replicas;
    const broken = runTool(validate, ['--strict', '-'], JSON.stringify(deployment));
    expect(broken.status).not.toBe(0);
    expect(broken.stdout + broken.stderr).toMatch(/replicaz/);
    // The same object without the typo passes: the failure is the typo, not the harness.
    const fixed = runTool(
      validate,
      ['--strict', '-'],
      JSON.stringify(named(objectsOf('prod'), 'Deployment', 'booking')),
    );
    expect(fixed.status).toBe(0);
  });
});

describe.each(OVERLAYS)('the built %s manifests', (overlay) => {
  it('put every namespaced object into airbnb-clone, and create that Namespace', () => {
    const objects = objectsOf(overlay);
    const namespace = named(objects, 'Namespace', NAMESPACE);
    expect(namespace).toBeDefined();
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(
        `${object.kind}/${object.metadata.name} in ${NAMESPACE}`,
      );
    }
  });

  it('keep the seed ConfigMap kafka-config with exactly its three keys and topics', () => {
    const config = named(objectsOf(overlay), 'ConfigMap', 'kafka-config')!;
    expect(Object.keys(config.data!).sort()).toEqual([
      'KAFKA_BROKERS',
      'KAFKA_REQUEST_TOPIC',
      'KAFKA_RESPONSE_TOPIC',
    ]);
    expect(config.data!.KAFKA_REQUEST_TOPIC).toBe('booking-requests');
    expect(config.data!.KAFKA_RESPONSE_TOPIC).toBe('booking-updates');
    // The brokers are the in-cluster StatefulSet pods, on the port the brokers listen on.
    const brokers = config.data!.KAFKA_BROKERS!.split(',');
    expect(brokers).toEqual(
      [0, 1, 2].map((i) => `kafka-${i}.kafka-headless.${NAMESPACE}.svc:9092`),
    );
    const app = named(objectsOf(overlay), 'ConfigMap', 'staysaga-config')!;
    expect(app.data).toMatchObject({
      HOST: '0.0.0.0',
      TEMPORAL_ADDRESS: expect.stringMatching(/^temporal-frontend\.temporal\.svc:7233$/),
      TEMPORAL_NAMESPACE: expect.any(String),
      TEMPORAL_TASK_QUEUE: 'bookings',
      OWNER_DECISION_TIMEOUT: expect.stringMatching(/^\d+(ms|s|m|h|d)$/),
      LOG_LEVEL: expect.stringMatching(/^(debug|info|warn|error)$/),
    });
  });

  it('load kafka-config and staysaga-config into every StaySaga Deployment, MONGODB_URI from the Secret', () => {
    const deployments = ofKind(objectsOf(overlay), 'Deployment');
    const staysaga = deployments.filter((d) =>
      d.spec.template.spec.containers.some((c: any) => String(c.image).startsWith('staysaga:')),
    );
    expect(staysaga.map((d) => d.metadata.name).sort()).toEqual(
      [...STAYSAGA_DEPLOYMENTS, AGENT].sort(),
    );
    for (const deployment of staysaga.filter((d) => d.metadata.name !== AGENT)) {
      for (const container of deployment.spec.template.spec.containers) {
        const configMaps = (container.envFrom ?? []).map((e: any) => e.configMapRef?.name);
        expect(configMaps, deployment.metadata.name).toContain('kafka-config');
        expect(configMaps, deployment.metadata.name).toContain('staysaga-config');
        const mongo = container.env.find((e: any) => e.name === 'MONGODB_URI');
        expect(mongo.valueFrom.secretKeyRef).toEqual({
          name: 'staysaga-secrets',
          key: 'MONGODB_URI',
        });
      }
    }
  });

  it('run each seed service as its own API process on its seed port, with 2+ replicas', () => {
    const objects = objectsOf(overlay);
    for (const service of SEED_SERVICES) {
      const deployment = named(objects, 'Deployment', service)!;
      expect(deployment.spec.replicas, service).toBeGreaterThanOrEqual(2);
      const [container] = deployment.spec.template.spec.containers;
      expect(container.args).toEqual(['api']);
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
      expect(env.API_SERVICES).toBe(service);
      expect(Number(env.PORT)).toBe(SEED_PORTS[service]);
      expect(container.ports[0].containerPort).toBe(SEED_PORTS[service]);
      expect(deployment.spec.template.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': service,
        'app.kubernetes.io/part-of': 'staysaga',
      });
      const svc = named(objects, 'Service', service)!;
      expect(svc.spec.ports.map((p: any) => p.port)).toContain(SEED_PORTS[service]);
    }
    for (const name of ['worker', 'bridge', 'notifier']) {
      const deployment = named(objects, 'Deployment', name)!;
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      const [container] = deployment.spec.template.spec.containers;
      expect(container.args).toEqual([name]);
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
      expect(env.HEALTH_PORT).toBe('8080');
      expect(container.readinessProbe.httpGet).toMatchObject({ path: '/health' });
      expect(container.ports[0].containerPort).toBe(8080);
    }
  });

  it('give each seed service a PodDisruptionBudget and an HPA targeting its Deployment', () => {
    const objects = objectsOf(overlay);
    const pdbs = ofKind(objects, 'PodDisruptionBudget');
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
    for (const name of STAYSAGA_DEPLOYMENTS) {
      const podLabels = named(objects, 'Deployment', name)!.spec.template.metadata.labels;
      const pdb = pdbs.find((p) => matches(p.spec.selector.matchLabels, podLabels));
      expect(pdb, `PDB for ${name}`).toBeDefined();
      expect(pdb!.spec.minAvailable).toBe(1);
    }
    for (const name of SEED_SERVICES) {
      const hpa = hpas.find(
        (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name,
      );
      expect(hpa, `HPA for ${name}`).toBeDefined();
      expect(hpa!.apiVersion).toBe('autoscaling/v2');
      expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
      expect(hpa!.spec.metrics[0].resource.name).toBe('cpu');
    }
    for (const store of ['kafka', 'mongo']) {
      const podLabels = named(objects, 'StatefulSet', store)!.spec.template.metadata.labels;
      const pdb = pdbs.find((p) => matches(p.spec.selector.matchLabels, podLabels));
      expect(pdb?.spec.maxUnavailable, `PDB for ${store}`).toBe(1);
    }
  });

  it('select the pods of some workload with every Service, on a port those pods expose', () => {
    const objects = objectsOf(overlay);
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
    for (const service of ofKind(objects, 'Service')) {
      const target = workloads.find((w) =>
        matches(service.spec.selector, w.spec.template.metadata.labels),
      );
      expect(target, `pods for Service ${service.metadata.name}`).toBeDefined();
      const ports = target!.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
      for (const port of service.spec.ports) {
        const exposed = ports.some(
          (p: any) => p.name === port.targetPort || p.containerPort === port.targetPort,
        );
        expect(exposed, `${service.metadata.name}:${port.targetPort}`).toBe(true);
      }
    }
  });

  it('route each seed path prefix to its service through the Ingress, without any rewrite', () => {
    const objects = objectsOf(overlay);
    const ingress = named(objects, 'Ingress', 'staysaga')!;
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    const annotations = Object.keys(ingress.metadata.annotations ?? {});
    expect(annotations.filter((a) => /rewrite/.test(a))).toEqual([]);
    const routes: Record<string, string> = {};
    for (const rule of ingress.spec.rules) {
      for (const path of rule.http.paths) {
        expect(path.pathType).toBe('Prefix');
        const backend = path.backend.service;
        const service = named(objects, 'Service', backend.name);
        expect(service, `Service ${backend.name}`).toBeDefined();
        expect(service!.spec.ports.map((p: any) => p.port)).toContain(backend.port.number);
        routes[path.path] = backend.name;
      }
    }
    expect(routes).toEqual(INGRESS_ROUTES);
  });

  it('give every container probes (Jobs and init containers excepted), requests, limits and a pinned image', () => {
    const workloads = objectsOf(overlay).filter((o) => podTemplate(o));
    expect(workloads.length).toBeGreaterThanOrEqual(12);
    for (const workload of workloads) {
      for (const { kind, container } of allContainers(workload)) {
        const where = `${workload.kind}/${workload.metadata.name}/${container.name}`;
        const image = String(container.image);
        expect(image, where).toMatch(/^[^:@\s]+(:[\w][\w.-]*)(@sha256:[a-f0-9]{64})?$/);
        expect(image.split(':')[1], where).not.toBe('latest');
        for (const key of ['requests', 'limits']) {
          expect(container.resources?.[key]?.cpu, `${where} ${key}.cpu`).toBeDefined();
          expect(container.resources?.[key]?.memory, `${where} ${key}.memory`).toBeDefined();
        }
        if (workload.kind !== 'Job' && kind === 'main') {
          expect(container.readinessProbe, `${where} readiness`).toBeDefined();
          expect(container.livenessProbe, `${where} liveness`).toBeDefined();
        }
        expect(container.securityContext?.allowPrivilegeEscalation, where).toBe(false);
      }
      expect(podTemplate(workload)!.spec.securityContext.runAsNonRoot).toBe(true);
    }
  });

  it('run StaySaga as uid 1000 on a read-only root with a writable /tmp', () => {
    for (const name of STAYSAGA_DEPLOYMENTS) {
      const spec = named(objectsOf(overlay), 'Deployment', name)!.spec.template.spec;
      expect(spec.securityContext.runAsUser).toBe(1000);
      const [container] = spec.containers;
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
      expect(spec.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
      expect(container.env.find((e: any) => e.name === 'TMPDIR').value).toBe('/tmp');
    }
  });

  it('carry no Secret and no credential-looking literal: secrets are only referenced', () => {
    const { text, objects } = built.get(overlay)!;
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expect(text).not.toMatch(/mongodb(\+srv)?:\/\/[^\s/]*:[^\s/]*@/);
    // Every password= or password: names a variable ($(VAR) from a secretKeyRef, $VAR in a
    // script), never a literal.
    const passwords = [...text.matchAll(/password\s*[:=]\s*\\?"?(\S{0,12})/gi)];
    expect(passwords.length).toBeGreaterThanOrEqual(4);
    for (const [, value] of passwords) {
      expect(value, `password=${value}`).toMatch(/^\$(\(|\{)?[A-Z_0-9]/);
    }
    for (const workload of objects.filter((o) => podTemplate(o))) {
      for (const { container } of allContainers(workload)) {
        for (const env of container.env ?? []) {
          if (/MONGODB_URI|PASSWORD|SECRET|TOKEN/i.test(env.name)) {
            expect(env.value, `${workload.metadata.name} ${env.name}`).toBeUndefined();
          }
        }
      }
    }
  });

  it('run Kafka as a 3-node KRaft quorum whose node ids come from the pod ordinal', () => {
    const objects = objectsOf(overlay);
    const kafka = named(objects, 'StatefulSet', 'kafka')!;
    expect(kafka.spec.replicas).toBe(3);
    expect(kafka.spec.serviceName).toBe('kafka-headless');
    const [container] = kafka.spec.template.spec.containers;
    expect(container.image).toMatch(/^apache\/kafka:4\.4\.0$/);
    expect(container.command.join(' ')).toMatch(/KAFKA_NODE_ID="\$\{HOSTNAME##\*-\}"/);
    expect(kafka.spec.template.spec.enableServiceLinks).toBe(false);
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(
      [0, 1, 2].map((i) => `${i}@kafka-${i}.kafka-headless.${NAMESPACE}.svc:9093`).join(','),
    );
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('3');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('3');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('2');
    expect(env).toMatchObject({
      KAFKA_LISTENERS: 'CLIENT://:9092,CONTROLLER://:9093',
      ...SECURE_KAFKA_BROKER_ENV,
    });
    const script = container.command.join(' ');
    expect(script).toContain('KAFKA_ADVERTISED_LISTENERS="CLIENT://${HOSTNAME}.kafka-headless.');
    expect(script).toContain('kafka-storage.sh format');
    expect(script).toContain('[name=staysaga-admin,password=$SCRAM_ADMIN_PASSWORD]');
    expect(script).toContain('[name=staysaga-broker,password=$SCRAM_BROKER_PASSWORD]');
    // The passwords the JAAS settings expand ($(VAR)) come from the Secret.
    const fromSecret = (name: string) =>
      container.env.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef;
    for (const [name, key] of [
      ['SCRAM_ADMIN_PASSWORD', 'KAFKA_ADMIN_PASSWORD'],
      ['SCRAM_BROKER_PASSWORD', 'KAFKA_BROKER_PASSWORD'],
      ['SCRAM_CONTROLLER_PASSWORD', 'KAFKA_CONTROLLER_PASSWORD'],
    ]) {
      expect(fromSecret(name!), name).toEqual({ name: 'staysaga-secrets', key });
    }
    expect(env.KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG).toContain(
      'username="staysaga-broker" password="$(SCRAM_BROKER_PASSWORD)"',
    );
    expect(env.KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG).toContain(
      'user_staysaga-controller="$(SCRAM_CONTROLLER_PASSWORD)"',
    );
    // The controller listener admits the Kafka pods only; clients reach the client listener.
    const policy = named(objects, 'NetworkPolicy', 'kafka-clients')!;
    const controllerFrom = policy.spec.ingress
      .filter((rule: any) => rule.ports.some((p: any) => p.port === 9093))
      .flatMap((rule: any) => rule.from.map((f: any) => f.podSelector.matchLabels));
    expect(controllerFrom).toEqual([{ 'app.kubernetes.io/name': 'kafka' }]);
    expect(container.readinessProbe.tcpSocket.port).toBe('client');
    const headless = named(objects, 'Service', 'kafka-headless')!;
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(named(objects, 'Service', 'kafka')!.spec.ports[0].port).toBe(9092);
  });

  it("log every StaySaga Deployment in to Kafka as its role's principal, the password from the Secret", () => {
    const objects = objectsOf(overlay);
    const app = named(objects, 'ConfigMap', 'staysaga-config')!;
    expect(app.data).toMatchObject({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_ENSURE_TOPICS: 'false',
      SMTP_URL: `smtp://mail.${NAMESPACE}.svc:1025`,
    });
    for (const name of STAYSAGA_DEPLOYMENTS) {
      const [container] = named(objects, 'Deployment', name)!.spec.template.spec.containers;
      const role = COMPONENT_ROLES[container.args[0] as keyof typeof COMPONENT_ROLES];
      expect(role, name).toBeDefined();
      const env = (key: string) => container.env.find((e: any) => e.name === key);
      expect(env('KAFKA_SASL_USERNAME')?.value, name).toBe(KAFKA_PRINCIPALS[role]);
      expect(env('KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef, name).toEqual({
        name: 'staysaga-secrets',
        key: `KAFKA_${role.toUpperCase()}_PASSWORD`,
      });
    }
    // Whatever loads the Kafka settings logs in with a password from the Secret.
    for (const workload of objects.filter((o) => podTemplate(o))) {
      for (const { container } of allContainers(workload)) {
        const kafkaClient = (container.envFrom ?? []).some(
          (e: any) => e.configMapRef?.name === 'kafka-config',
        );
        if (!kafkaClient) continue;
        const where = `${workload.kind}/${workload.metadata.name}`;
        const secrets = (container.env ?? [])
          .filter((e: any) => /PASSWORD$/.test(e.name))
          .map((e: any) => e.valueFrom?.secretKeyRef?.key);
        expect(
          secrets.some((key: string) => /^KAFKA_[A-Z]+_PASSWORD$/.test(key)),
          where,
        ).toBe(true);
      }
    }
  });

  it('create the role users, topics and ACLs of kafka/acl-plan.ts with the kafka-init Job', () => {
    const objects = objectsOf(overlay);
    const job = named(objects, 'Job', 'kafka-init')!;
    const [container] = job.spec.template.spec.containers;
    expect(container.image).toBe(
      named(objects, 'StatefulSet', 'kafka')!.spec.template.spec.containers[0].image,
    );
    expect(container.envFrom.map((e: any) => e.configMapRef.name)).toEqual([
      'kafka-config',
      'staysaga-config',
    ]);
    const lines = container.command
      .join('\n')
      .split('\n')
      .map((line: string) => line.trim());
    expect(lines.filter((line: string) => line.startsWith('acl --'))).toEqual(aclShellLines());
    expect(
      lines
        .filter((line: string) => line.startsWith('scram_user '))
        .map((line: string) => line.split(' ')[1]),
    ).toEqual(INIT_SCRIPT_USERS);
    const script = lines.join('\n');
    expect(script).toContain('--add-config "SCRAM-SHA-512=[password=$2]"');
    expect(script).toContain(
      'for t in "$KAFKA_REQUEST_TOPIC" "$KAFKA_RESPONSE_TOPIC"; do topic "$t"; topic "$t.DLT"; done',
    );
    expect(script).toContain('--replication-factor "${KAFKA_TOPIC_REPLICATION_FACTOR:-1}"');
    expect(script).toContain(
      `topic "$KAFKA_LIVE_EVENTS_TOPIC" --config retention.ms=${LIVE_EVENTS_RETENTION_MS}`,
    );
    const app = named(objects, 'ConfigMap', 'staysaga-config')!;
    expect(app.data!.KAFKA_LIVE_EVENTS_TOPIC).toBe('user-events');
    for (const role of ['admin', 'traveler', 'owner', 'notifier', 'bridge']) {
      const upper = role.toUpperCase();
      const ref = container.env.find((e: any) => e.name === `${upper}_PASSWORD`);
      expect(ref?.valueFrom?.secretKeyRef, role).toEqual({
        name: 'staysaga-secrets',
        key: `KAFKA_${upper}_PASSWORD`,
      });
    }
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('reference only keys the secret template has', () => {
    const template = parse(readFileSync(`${K8S}base/secret.template.yaml`, 'utf8')) as K8sObject;
    const keys = Object.keys(template.stringData ?? {});
    for (const workload of objectsOf(overlay).filter((o) => podTemplate(o))) {
      for (const { container } of allContainers(workload)) {
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (!ref || ref.name !== 'staysaga-secrets') continue;
          expect(keys, `${workload.metadata.name} ${env.name}`).toContain(ref.key);
        }
      }
    }
  });

  it('run the agent on 8000 from the StaySaga image, reachable only from the traveler API, against Ollama', () => {
    const objects = objectsOf(overlay);
    const agent = named(objects, 'Deployment', AGENT)!;
    expect(agent.spec.replicas).toBeGreaterThanOrEqual(2);
    const spec = agent.spec.template.spec;
    expect(spec.securityContext.runAsUser).toBe(1000);
    const [container] = spec.containers;
    expect(container.image).toBe(
      named(objects, 'Deployment', 'traveler')!.spec.template.spec.containers[0].image,
    );
    expect(container.args).toEqual([AGENT]);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    const env = (key: string) => container.env.find((e: any) => e.name === key);
    expect(env('AGENT_PORT')?.value).toBe('8000');
    expect(env('AGENT_API_KEY')?.valueFrom?.secretKeyRef).toEqual({
      name: 'staysaga-secrets',
      key: 'AGENT_API_KEY',
    });
    // Least privilege: no broker settings, no database URI, no Kafka password.
    expect(container.envFrom.map((e: any) => e.configMapRef.name)).toEqual(['staysaga-config']);
    expect(
      container.env.map((e: any) => e.name).filter((n: string) => /KAFKA|MONGO/.test(n)),
    ).toEqual([]);
    const config = named(objects, 'ConfigMap', 'staysaga-config')!.data!;
    expect(config).toMatchObject({
      AGENT_URL: `http://agent.${NAMESPACE}.svc:8000`,
      AGENT_LLM_URL: `http://ollama.${NAMESPACE}.svc:11434/v1`,
      AGENT_LLM_MODEL: 'llama3.2:1b',
    });
    // The traveler API (which serves /api/agent) shows the agent the same key.
    const [traveler] = named(objects, 'Deployment', 'traveler')!.spec.template.spec.containers;
    expect(
      traveler.env.find((e: any) => e.name === 'AGENT_API_KEY')?.valueFrom?.secretKeyRef,
    ).toEqual({ name: 'staysaga-secrets', key: 'AGENT_API_KEY' });
    expect(named(objects, 'Service', AGENT)!.spec.ports[0].port).toBe(8000);
    const pdb = named(objects, 'PodDisruptionBudget', AGENT)!;
    expect(pdb.spec).toMatchObject({ minAvailable: 1, selector: agent.spec.selector });
    const callers = named(objects, 'NetworkPolicy', 'agent-clients')!.spec.ingress.flatMap(
      (rule: any) => rule.from.map((f: any) => f.podSelector.matchLabels),
    );
    expect(callers).toEqual([{ 'app.kubernetes.io/name': 'traveler' }]);
    // /api/agent reaches the traveler API with timeouts long enough for a plan.
    const ingress = named(objects, 'Ingress', 'staysaga-agent')!;
    const [path] = ingress.spec.rules[0].http.paths;
    expect(path).toMatchObject({
      path: '/api/agent',
      pathType: 'Prefix',
      backend: { service: { name: 'traveler', port: { number: 5005 } } },
    });
    expect(
      Number(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']),
    ).toBeGreaterThanOrEqual(180);
  });

  it('run Ollama with its models on a volume, and pull the configured model with a Job', () => {
    const objects = objectsOf(overlay);
    const ollama = named(objects, 'StatefulSet', 'ollama')!;
    const [container] = ollama.spec.template.spec.containers;
    expect(container.image).toMatch(/^ollama\/ollama:\d+\.\d+\.\d+$/);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 11434 }]);
    expect(ollama.spec.volumeClaimTemplates[0].metadata.name).toBe('models');
    const home = container.env.find((e: any) => e.name === 'HOME').value;
    expect(container.volumeMounts).toContainEqual({ name: 'models', mountPath: home });
    expect(named(objects, 'Service', 'ollama')!.spec.ports[0].port).toBe(11434);
    const callers = named(objects, 'NetworkPolicy', 'ollama-clients')!.spec.ingress.flatMap(
      (rule: any) => rule.from.map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/name']),
    );
    expect(callers.sort()).toEqual(['agent', 'ollama-pull']);

    const job = named(objects, 'Job', 'ollama-pull')!;
    const [pull] = job.spec.template.spec.containers;
    expect(pull.image).toBe(container.image);
    expect(pull.env.find((e: any) => e.name === 'OLLAMA_HOST').value).toBe(
      `http://ollama.${NAMESPACE}.svc:11434`,
    );
    expect(pull.env.find((e: any) => e.name === 'AGENT_LLM_MODEL').valueFrom).toEqual({
      configMapKeyRef: { name: 'staysaga-config', key: 'AGENT_LLM_MODEL' },
    });
    expect(pull.command.join(' ')).toContain('ollama pull "$AGENT_LLM_MODEL"');
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('run Mailpit, the release the embedded stack runs, as mail:1025 (SMTP) and mail:8025 (web)', () => {
    const objects = objectsOf(overlay);
    const mail = named(objects, 'Deployment', 'mail')!;
    const [container] = mail.spec.template.spec.containers;
    expect(mail.spec.template.spec.containers).toHaveLength(1);
    expect(container.image).toBe(`axllent/mailpit:${MAILPIT_VERSION}`);
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    const service = named(objects, 'Service', 'mail')!;
    expect(service.spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ['smtp', 1025],
      ['http', 8025],
    ]);
  });

  it('run MongoDB as replica set rs0 with an idempotent rs.initiate Job', () => {
    const objects = objectsOf(overlay);
    const mongo = named(objects, 'StatefulSet', 'mongo')!;
    expect(mongo.spec.replicas).toBe(3);
    const [container] = mongo.spec.template.spec.containers;
    expect(container.image).toMatch(/^mongo:7\.0\.\d+$/);
    expect(container.args).toEqual(expect.arrayContaining(['--replSet', 'rs0', '--bind_ip_all']));
    expect(named(objects, 'Service', mongo.spec.serviceName)!.spec.clusterIP).toBe('None');
    const init = named(objects, 'Job', 'mongo-rs-init')!;
    const script = init.spec.template.spec.containers[0].command.join(' ');
    expect(script).toMatch(/NotYetInitialized/);
    expect(script).toMatch(/rs\.initiate/);
    for (const i of [0, 1, 2]) {
      expect(script).toContain(
        `{ _id: ${i}, host: "mongo-${i}.mongo-headless.${NAMESPACE}.svc:27017" }`,
      );
    }
  });

  it('register the five booking search attributes idempotently with a Temporal admin-tools Job', () => {
    const job = named(objectsOf(overlay), 'Job', 'temporal-search-attributes')!;
    const [container] = job.spec.template.spec.containers;
    expect(container.image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+/);
    expect(container.envFrom.map((e: any) => e.configMapRef.name)).toContain('staysaga-config');
    const script = container.command.join(' ');
    expect(script).toMatch(/--address "\$TEMPORAL_ADDRESS"/);
    for (const [name, type] of [
      ['BookingStatus', 'Keyword'],
      ['PropertyId', 'Keyword'],
      ['OwnerId', 'Keyword'],
      ['TravelerId', 'Keyword'],
      ['CheckIn', 'Datetime'],
    ]) {
      expect(script).toContain(`ensure ${name} ${type}`);
    }
    // Idempotent: it creates only what the list does not already show.
    expect(script).toMatch(/until has "\$1"/);
  });

  it('keep every volume claim template complete after the overlay patches', () => {
    for (const set of ofKind(objectsOf(overlay), 'StatefulSet')) {
      for (const claim of set.spec.volumeClaimTemplates) {
        expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
        expect(claim.spec.resources.requests.storage).toMatch(/^\d+Gi$/);
      }
    }
  });
});

describe('the overlays differ where they should', () => {
  it('tag the StaySaga image per overlay and give prod more headroom than dev', () => {
    const image = (overlay: string) =>
      named(objectsOf(overlay), 'Deployment', 'booking')!.spec.template.spec.containers[0].image;
    expect(image('dev')).toBe('staysaga:0.1.0-dev');
    expect(image('prod')).toBe('staysaga:0.1.0');
    const hpaMax = (overlay: string) =>
      named(objectsOf(overlay), 'HorizontalPodAutoscaler', 'booking')!.spec.maxReplicas;
    expect(hpaMax('prod')).toBeGreaterThan(hpaMax('dev'));
    const memory = (overlay: string) =>
      named(objectsOf(overlay), 'Deployment', 'booking')!.spec.template.spec.containers[0].resources
        .limits.memory;
    expect(memory('dev')).toBe('384Mi');
    expect(memory('prod')).toBe('768Mi');
  });
});

describe('the Temporal Helm values', () => {
  it('fix the history shard count, use an existing secret for the database and enable the UI', () => {
    const values = parse(readFileSync(`${K8S}temporal/values.yaml`, 'utf8'));
    const persistence = values.server.config.persistence;
    expect(persistence.numHistoryShards).toBe(512);
    for (const store of ['default', 'visibility']) {
      const sql = persistence.datastores[store].sql;
      expect(sql.existingSecret).toBe('temporal-db-secret');
      expect(sql.password).toBeUndefined();
    }
    expect(values.server.replicaCount).toBeGreaterThanOrEqual(2);
    expect(values.web.enabled).toBe(true);
  });
});
