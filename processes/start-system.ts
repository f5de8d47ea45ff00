/**
 * `npm start`: the whole system on one machine. Starts (installing on first run) the embedded
 * stack, then the API, the Temporal worker, the booking-updates bridge and the owner notifier
 * in this process, and prints where to find them. Ctrl-C stops everything, servers included.
 */
import { createLogger } from '../config/logger.js';
import { startStack } from '../stack/index.js';
import {
  kafkaCredentialsFile,
  kafkaPrincipalEnv,
  kafkaPrincipalForComponents,
} from '../stack/kafka.js';
import { StackError } from '../stack/managed-process.js';
import { runComponentsOn } from './main.js';
import { exitOnSignalsWhileStarting, stopOnSignals } from './signals.js';
import { prepareWebApp, startWebApp } from './web-app.js';

const log = createLogger('staysaga');

async function main() {
  const startedAt = Date.now();
  const doneStarting = exitOnSignalsWhileStarting();
  const webBuild = prepareWebApp(log);
  const stack = await startStack({ echo: process.env.STAYSAGA_ECHO_SERVERS !== 'false' });
  let system: Awaited<ReturnType<typeof runComponentsOn>>;
  // Secure Kafka (STAYSAGA_KAFKA_SECURITY=scram): log in as the role these components share.
  const components = process.env.STAYSAGA_COMPONENTS;
  const kafkaLogin = stack.kafkaPrincipals
    ? kafkaPrincipalForComponents(stack.kafkaPrincipals, components)
    : null;
  try {
    system = await runComponentsOn(
      stack,
      components,
      kafkaLogin ? kafkaPrincipalEnv(kafkaLogin) : {},
      log,
    );
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const api = system.running.find((c) => c.name === 'api') as { url?: string } | undefined;
  // The web app on its own port, same origin as the API it proxies (processes/web-server.ts).
  const web = await startWebApp(api?.url, webBuild, log);
  doneStarting();
  stopOnSignals(async () => {
    await web.stop();
    await system.stop();
    await stack.stop();
  }, log);
  const lines = [
    '',
    `StaySaga is running (started in ${((Date.now() - startedAt) / 1000).toFixed(1)}s).`,
    `  Web app      ${web.line}`,
    `  API          ${api?.url ?? '(not started)'}   (try: curl ${api?.url ?? ''}/health)`,
    `  Temporal UI  ${stack.temporalUiUrl ?? '(external Temporal: see TEMPORAL_UI_URL)'}`,
    `  Mailbox      ${stack.mailWebUrl ?? '(external SMTP: see MAIL_WEB_URL)'}   (SMTP ${stack.env.SMTP_URL})`,
    `  Temporal     ${stack.env.TEMPORAL_ADDRESS}   Kafka ${stack.env.KAFKA_BROKERS}   Mongo ${stack.env.MONGODB_URI}`,
    `  Agent model  ${
      stack.llm
        ? `${stack.llm.url}   (${stack.llm.model}, llama.cpp; log ${stack.llm.logFile})`
        : stack.env.AGENT_LLM_URL
          ? `${stack.env.AGENT_LLM_URL}   (external AGENT_LLM_URL, model ${stack.env.AGENT_LLM_MODEL ?? '(AGENT_LLM_MODEL)'})`
          : '(off: STAYSAGA_AGENT=off)'
    }`,
    ...(kafkaLogin
      ? [
          `  Kafka        SASL/SCRAM with ACLs; this process is ${kafkaLogin.username}, every role's password in ${kafkaCredentialsFile(stack.dataDir)}`,
        ]
      : []),
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  log.error(error instanceof StackError ? error.message : 'failed to start', {
    error: error instanceof StackError ? undefined : error,
  });
  process.exit(1);
});
