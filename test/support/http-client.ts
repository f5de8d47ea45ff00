/**
 * The one JSON-over-HTTP client of the tests and benchmarks: Bearer token, JSON or raw body,
 * optional timeout; the answer's body is parsed as JSON when it is JSON, else kept as text.
 * No vitest import, so the benchmark harness can use it too.
 */
export interface JsonResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface JsonRequest {
  method?: string;
  token?: string;
  body?: unknown;
  /**
   * Sent as is (for malformed-JSON tests), as `application/json` unless `headers` give another
   * content type; `body` wins when both are given.
   */
  rawBody?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export async function requestJson<T = any>(
  baseUrl: string,
  path: string,
  options: JsonRequest = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.rawBody;
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (body !== undefined && !typed) headers['content-type'] = 'application/json';
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}
