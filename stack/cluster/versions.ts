/**
 * One set of versions: the servers `npm run start:cluster` runs, and the images that
 * docker-compose.yml and k8s/ pin for the same servers. The cluster code builds or installs
 * exactly these (temporal-server.ts, postgres.ts, ../kafka.ts), and test/deploy fails when a
 * compose or Kubernetes pin differs from them, so a bump is one edit here plus the files the
 * test then names.
 */

/** go.temporal.io/server, built from the Go module proxy; images temporalio/server, admin-tools. */
export const TEMPORAL_SERVER_VERSION = '1.32.1';
/** github.com/temporalio/ui-server/v2, built from the Go module proxy; image temporalio/ui. */
export const TEMPORAL_UI_VERSION = '2.55.0';
/** The jars from Maven Central (stack/kafka.ts); image apache/kafka. */
export const KAFKA_VERSION = '4.4.0';
/**
 * PostgreSQL: Debian 12's `postgresql-15` package on the cluster (postgres.ts refuses any other
 * major); the official postgres image in compose. Debian's security updates move the minor
 * release, so the cluster checks the major strictly and reports a different minor.
 */
export const POSTGRES_VERSION = '15.20';
export const POSTGRES_MAJOR = Number(POSTGRES_VERSION.split('.')[0]);

/** The image references the deployment files must use for these servers. */
export const DEPLOYMENT_IMAGES = {
  temporalServer: `temporalio/server:${TEMPORAL_SERVER_VERSION}`,
  temporalAdminTools: `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
  temporalUi: `temporalio/ui:${TEMPORAL_UI_VERSION}`,
  kafka: `apache/kafka:${KAFKA_VERSION}`,
  postgres: `postgres:${POSTGRES_VERSION}`,
} as const;
