/**
 * Requests Node's HTTP parser refuses before Hono sees them (a 20 kB query string, headers over
 * the 16 KiB limit, bytes that are not HTTP) get our JSON error shape too, instead of Node's
 * default: a bare status line with an empty body.
 */
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/** What Node's `clientError` event hands over. */
export interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** Request lines longer than this are blamed on the URL (414), not on the headers (431). */
const LONG_REQUEST_LINE = 8 * 1024;

function requestLineLength(raw: Buffer | undefined): number {
  if (!raw) return 0;
  const end = raw.indexOf('\r\n');
  return end === -1 ? raw.length : end;
}

/** The status, code and message for a request the parser refused. */
export function refusalFor(error: ParserError) {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return requestLineLength(error.rawPacket) > LONG_REQUEST_LINE
      ? { status: 414, code: 'uri_too_long', message: 'The URL is too long (8 KiB at most)' }
      : {
          status: 431,
          code: 'headers_too_large',
          message: 'The request line and headers are too large (16 KiB in all at most)',
        };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'request_timeout', message: 'The request took too long to arrive' };
  }
  return { status: 400, code: 'bad_request', message: 'This is not a well-formed HTTP request' };
}

/** Answers a refused request on its socket in our error shape, then closes the connection. */
export function answerClientError(error: ParserError, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = refusalFor(error);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
