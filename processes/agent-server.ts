/**
 * The trip-planning agent service (component `agent`, AGENT_PORT, default 8000): a Hono app
 * that only the API may call (AGENT_API_KEY) and that talks to one OpenAI-compatible model
 * server (AGENT_LLM_URL). It needs no database, broker or Temporal: the API sends the facts.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentApp } from '../agent/app.js';
import { LlmClient } from '../agent/llm-client.js';
import { PolicyLibrary } from '../agent/policies.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export async function startAgentServer(
  ctx: Pick<SystemContext, 'config' | 'log'>,
): Promise<RunningComponent & { url: string }> {
  const { config } = ctx;
  const log = ctx.log.child('agent');
  if (!config.AGENT_API_KEY) {
    throw new Error(
      'AGENT_API_KEY is not set: the agent accepts only calls from the API, which must show it',
    );
  }
  const llm = new LlmClient({
    baseUrl: config.AGENT_LLM_URL,
    model: config.AGENT_LLM_MODEL,
    timeoutMs: config.AGENT_LLM_TIMEOUT,
  });
  const app = createAgentApp({
    llm,
    policies: new PolicyLibrary(),
    apiKey: config.AGENT_API_KEY,
    maxTokensCap: config.AGENT_LLM_MAX_TOKENS,
    maxInFlight: config.AGENT_MAX_IN_FLIGHT,
    log,
  });
  const server = serve({ fetch: app.fetch, port: config.AGENT_PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST}:${port}`;
  log.info('listening', { url, model: config.AGENT_LLM_MODEL, llm: config.AGENT_LLM_URL });
  return {
    name: 'agent',
    url,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as Server).closeAllConnections();
      await closed;
    },
  };
}
