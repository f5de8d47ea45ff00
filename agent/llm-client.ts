/**
 * The one model client: any OpenAI-compatible `/chat/completions` (llama.cpp's server, Ollama's
 * `/v1`, a hosted API), always with `response_format: json_schema`, which llama.cpp and Ollama
 * enforce as a grammar. Every failure is an `LlmError` of a kind the caller can answer for:
 * the server is down or broke off (`unavailable`), it took too long (`timeout`), or what it
 * said is not a reply (`invalid_reply`). Never a made-up answer.
 */
import { readServerSentEvents } from './sse.js';

export type LlmFailureKind = 'unavailable' | 'timeout' | 'invalid_reply' | 'aborted';

export class LlmError extends Error {
  constructor(
    readonly kind: LlmFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmCall {
  messages: LlmMessage[];
  /** The JSON schema the reply must follow, and its name. */
  schema: { name: string; schema: Record<string, unknown> };
  maxTokens: number;
  temperature?: number;
  /** Streams the reply: called with each piece of text as it comes. */
  onDelta?: (text: string) => void;
  /** The caller gave up (its client went away). */
  signal?: AbortSignal;
}

export interface LlmReply {
  content: string;
  /** `stop` when the model finished, `length` when max_tokens cut it. */
  finishReason: string | null;
  completionTokens: number | null;
  promptTokens: number | null;
  ms: number;
}

export interface LlmClientOptions {
  /** `http://127.0.0.1:11434/v1` */
  baseUrl: string;
  model: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** The subset of an OpenAI chat completion (or one streamed chunk) we read. */
interface CompletionBody {
  choices?: {
    message?: { content?: string | null };
    delta?: { content?: string | null };
    finish_reason?: string | null;
  }[];
  usage?: { completion_tokens?: number; prompt_tokens?: number } | null;
  error?: { message?: string };
}

export class LlmClient {
  readonly model: string;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: LlmClientOptions) {
    this.model = options.model;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.timeoutMs = options.timeoutMs;
    this.fetch = options.fetch ?? fetch;
  }

  async complete(call: LlmCall): Promise<LlmReply> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
    const streaming = call.onDelta !== undefined;
    const body = {
      model: this.model,
      messages: call.messages,
      max_tokens: call.maxTokens,
      temperature: call.temperature ?? 0.3,
      stream: streaming,
      ...(streaming ? { stream_options: { include_usage: true } } : {}),
      response_format: {
        type: 'json_schema',
        json_schema: { name: call.schema.name, schema: call.schema.schema, strict: true },
      },
    };
    try {
      const response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
      if (!response.ok) {
        const text = (await response.text()).slice(0, 300);
        throw new LlmError(
          'unavailable',
          `The model server answered ${response.status}: ${text || response.statusText}`,
        );
      }
      const reply = streaming
        ? await readStream(response, call.onDelta as (text: string) => void)
        : readWhole((await response.json()) as CompletionBody);
      return { ...reply, ms: Math.round(performance.now() - started) };
    } catch (error) {
      throw classify(error, { timedOut: timeout.aborted, callerGone: call.signal?.aborted });
    }
  }
}

function readWhole(body: CompletionBody): Omit<LlmReply, 'ms'> {
  const choice = body.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string') {
    throw new LlmError('invalid_reply', body.error?.message ?? 'The model server sent no message');
  }
  return {
    content,
    finishReason: choice?.finish_reason ?? null,
    completionTokens: body.usage?.completion_tokens ?? null,
    promptTokens: body.usage?.prompt_tokens ?? null,
  };
}

async function readStream(
  response: Response,
  onDelta: (text: string) => void,
): Promise<Omit<LlmReply, 'ms'>> {
  if (!response.body) throw new LlmError('invalid_reply', 'The model server sent no body');
  let content = '';
  let finishReason: string | null = null;
  let completionTokens: number | null = null;
  let promptTokens: number | null = null;
  let finished = false;
  for await (const event of readServerSentEvents(response.body)) {
    if (event.data === '[DONE]') {
      finished = true;
      break;
    }
    let chunk: CompletionBody;
    try {
      chunk = JSON.parse(event.data) as CompletionBody;
    } catch {
      throw new LlmError('invalid_reply', 'The model server streamed something that is not JSON');
    }
    if (chunk.error) {
      throw new LlmError('unavailable', chunk.error.message ?? 'The model server failed');
    }
    const choice = chunk.choices?.[0];
    const delta = choice?.delta?.content;
    if (delta) {
      content += delta;
      onDelta(delta);
    }
    if (choice?.finish_reason) finishReason = choice.finish_reason;
    if (chunk.usage) {
      completionTokens = chunk.usage.completion_tokens ?? completionTokens;
      promptTokens = chunk.usage.prompt_tokens ?? promptTokens;
    }
  }
  // A stream that ends without [DONE] or a finish reason was cut: the server went away.
  if (!finished && finishReason === null) {
    throw new LlmError('unavailable', 'The model server closed the stream before it finished');
  }
  return { content, finishReason, completionTokens, promptTokens };
}

function classify(error: unknown, state: { timedOut: boolean; callerGone?: boolean }): LlmError {
  if (error instanceof LlmError) return error;
  if (state.timedOut) return new LlmError('timeout', 'The model did not answer in time');
  if (state.callerGone) return new LlmError('aborted', 'The request was given up');
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const what = cause ?? (error as Error).message;
  return new LlmError('unavailable', `The model server cannot be reached (${what})`);
}
