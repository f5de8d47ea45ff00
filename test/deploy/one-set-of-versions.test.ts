/**
 * One set of versions (issue 15): the Temporal server, UI, Kafka and PostgreSQL releases that
 * docker-compose.yml, the built Kubernetes manifests and the Temporal Helm values pin are the ones
 * the local cluster builds and runs (stack/cluster/versions.ts). Every image of those servers in
 * those files is found and compared, so a new service with another tag fails too, and a tampered
 * copy of the compose file is shown to fail, so a pass means something.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  DEPLOYMENT_IMAGES,
  KAFKA_VERSION,
  POSTGRES_MAJOR,
  POSTGRES_VERSION,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
} from '../../stack/cluster/versions.js';
import * as temporalServer from '../../stack/cluster/temporal-server.js';
import * as kafka from '../../stack/kafka.js';
import { ensureDeployValidators } from '../../stack/deploy-validators.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');

/** The repositories whose tag must be the cluster's; any other image is not this test's. */
const PINNED: Record<string, string> = Object.fromEntries(
  Object.values(DEPLOYMENT_IMAGES).map((image) => [image.split(':')[0], image]),
);

interface Found {
  where: string;
  image: string;
}

/** Each found image of a pinned repository whose reference is not the cluster's. */
function mismatches(found: Found[]): string[] {
  return found
    .filter(({ image }) => PINNED[image.split(/[:@]/)[0]!] !== undefined)
    .filter(({ image }) => image !== PINNED[image.split(/[:@]/)[0]!])
    .map(
      ({ where, image }) =>
        `${where}: ${image}, the cluster runs ${PINNED[image.split(/[:@]/)[0]!]}`,
    );
}

function composeImages(text: string): Found[] {
  const compose = parse(text, { merge: true }) as { services: Record<string, { image?: string }> };
  return Object.entries(compose.services)
    .filter(([, s]) => s.image !== undefined)
    .map(([name, s]) => ({ where: `docker-compose.yml ${name}`, image: s.image! }));
}

type Container = { name: string; image: string };
function manifestImages(text: string, overlay: string): Found[] {
  const found: Found[] = [];
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind: string; metadata: { name: string }; spec?: any };
    const pod = object.spec?.template?.spec;
    if (!pod) continue;
    for (const c of [...(pod.initContainers ?? []), ...pod.containers] as Container[]) {
      found.push({
        where: `k8s ${overlay} ${object.kind}/${object.metadata.name}/${c.name}`,
        image: c.image,
      });
    }
  }
  return found;
}

/** The chart's image settings: `<section>.image.{repository,tag}`. */
function helmImages(text: string): Found[] {
  const values = parse(text) as Record<string, { image?: { repository: string; tag: unknown } }>;
  return Object.entries(values)
    .filter(([, section]) => section?.image)
    .map(([section, { image }]) => ({
      where: `k8s/temporal/values.yaml ${section}.image`,
      image: `${image!.repository}:${String(image!.tag)}`,
    }));
}

const builtOverlays = new Map<string, string>();

beforeAll(async () => {
  const { kustomize } = await ensureDeployValidators();
  for (const overlay of ['dev', 'prod']) {
    const result = spawnSync(
      kustomize.command,
      [...kustomize.args, 'build', `${ROOT}k8s/overlays/${overlay}`],
      { env: { ...process.env, ...kustomize.env }, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    expect(result.status, result.stderr).toBe(0);
    builtOverlays.set(overlay, result.stdout);
  }
});

describe('one set of versions: what the cluster runs is what the deployment files pin', () => {
  it('names each release once, and the cluster code uses those constants', () => {
    expect(DEPLOYMENT_IMAGES).toEqual({
      temporalServer: `temporalio/server:${TEMPORAL_SERVER_VERSION}`,
      temporalAdminTools: `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
      temporalUi: `temporalio/ui:${TEMPORAL_UI_VERSION}`,
      kafka: `apache/kafka:${KAFKA_VERSION}`,
      postgres: `postgres:${POSTGRES_VERSION}`,
    });
    // What the cluster builds from the Go module proxy and Maven Central.
    expect(temporalServer.TEMPORAL_SERVER_VERSION).toBe(TEMPORAL_SERVER_VERSION);
    expect(temporalServer.TEMPORAL_UI_VERSION).toBe(TEMPORAL_UI_VERSION);
    expect(kafka.KAFKA_VERSION).toBe(KAFKA_VERSION);
    // PostgreSQL: the cluster installs and runs Debian's postgresql-<major> of this release.
    expect(POSTGRES_MAJOR).toBe(Number(POSTGRES_VERSION.split('.')[0]));
    expect(read('stack/cluster/postgres.ts')).toContain('`postgresql-${POSTGRES_MAJOR}`');
    for (const version of [TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION, KAFKA_VERSION]) {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(POSTGRES_VERSION).toMatch(/^\d+\.\d+$/);
  });

  it('docker-compose.yml runs exactly these Temporal, UI, Kafka and PostgreSQL images', () => {
    const found = composeImages(read('docker-compose.yml'));
    expect(mismatches(found)).toEqual([]);
    // Every one of them is there, not merely none wrong.
    const images = new Set(found.map((f) => f.image));
    for (const image of Object.values(DEPLOYMENT_IMAGES)) expect(images, image).toContain(image);
    expect(found.find((f) => f.where.endsWith(' temporal'))?.image).toBe(
      DEPLOYMENT_IMAGES.temporalServer,
    );
    expect(found.find((f) => f.where.endsWith(' postgresql'))?.image).toBe(
      DEPLOYMENT_IMAGES.postgres,
    );
  });

  it('fails a compose file whose Temporal or PostgreSQL pin differs (it really checks)', () => {
    const text = read('docker-compose.yml')
      .replace(DEPLOYMENT_IMAGES.temporalServer, 'temporalio/server:1.29.1')
      .replace(DEPLOYMENT_IMAGES.postgres, 'postgres:16.10');
    expect(mismatches(composeImages(text))).toEqual([
      `docker-compose.yml postgresql: postgres:16.10, the cluster runs ${DEPLOYMENT_IMAGES.postgres}`,
      `docker-compose.yml temporal: temporalio/server:1.29.1, the cluster runs ${DEPLOYMENT_IMAGES.temporalServer}`,
    ]);
  });

  it.each(['dev', 'prod'])('the built %s manifests run exactly these images', (overlay) => {
    const found = manifestImages(builtOverlays.get(overlay)!, overlay);
    expect(mismatches(found)).toEqual([]);
    const images = new Set(found.map((f) => f.image));
    expect(images).toContain(DEPLOYMENT_IMAGES.kafka);
    expect(images).toContain(DEPLOYMENT_IMAGES.temporalAdminTools);
  });

  it('the Temporal Helm values pin the server, admin tools and UI instead of the chart defaults', () => {
    const found = helmImages(read('k8s/temporal/values.yaml'));
    expect(found.map((f) => f.image).sort()).toEqual(
      [
        DEPLOYMENT_IMAGES.temporalAdminTools,
        DEPLOYMENT_IMAGES.temporalServer,
        DEPLOYMENT_IMAGES.temporalUi,
      ].sort(),
    );
    expect(found.map((f) => f.where).sort()).toEqual([
      'k8s/temporal/values.yaml admintools.image',
      'k8s/temporal/values.yaml server.image',
      'k8s/temporal/values.yaml web.image',
    ]);
  });
});
