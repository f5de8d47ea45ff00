import { SUPER_USERS } from '../../kafka/acl-plan.js';

/**
 * What every real Kafka broker of ours runs with, in compose and in Kubernetes alike: SASL on
 * every listener, SCRAM for clients and between brokers, PLAIN for the controllers (their SCRAM
 * credentials are in the metadata they serve), ACLs with no access by default.
 */
export const SECURE_KAFKA_BROKER_ENV = {
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
  KAFKA_INTER_BROKER_LISTENER_NAME: 'CLIENT',
  KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS: 'SCRAM-SHA-512',
  KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL: 'SCRAM-SHA-512',
  KAFKA_LISTENER_NAME_CONTROLLER_SASL_ENABLED_MECHANISMS: 'PLAIN',
  KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL: 'PLAIN',
  KAFKA_AUTHORIZER_CLASS_NAME: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND: 'false',
  KAFKA_SUPER_USERS: SUPER_USERS.join(';'),
};
