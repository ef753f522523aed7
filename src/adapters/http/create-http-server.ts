import { randomUUID } from 'node:crypto';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemType } from './problem-types.js';

export interface HttpServerLimits {
  /** Largest request line plus headers accepted; larger gets 431. */
  readonly maxHeaderBytes: number;
  /** Idle keep-alive connections close after this; keep it above the load balancer's idle timeout. */
  readonly keepAliveTimeoutMs: number;
  /** Time a client has to send the request line and headers (slow-loris bound); above keepAliveTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included; at least headersTimeoutMs. */
  readonly requestTimeoutMs: number;
}

/** A Koa app's `app.callback()`. */
export type KoaCallback = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Node's request listener for a Koa app. Koa's callback settles every request's errors itself
 * (ctx.onerror answers them), so its promise never rejects: it only tells when the response is done,
 * and nothing here needs to wait for that.
 */
export function requestListener(callback: KoaCallback): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => void callback(req, res);
}

/**
 * The Node server in front of the Koa app, with the limits Koa cannot see: header size, slow
 * clients, keep-alive. What Node rejects itself (431, 408, unparseable requests) is answered in
 * problem+json too, instead of Node's bare status line.
 */
export function createHttpServer(handler: KoaCallback, limits: HttpServerLimits): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // The timeouts above are enforced by a sweep every interval: keep it a fraction of them.
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
      // Answered by the app's request-limits middleware, in problem+json.
      requireHostHeader: false,
    },
    requestListener(handler),
  );
  server.on('clientError', answerClientError);
  return server;
}

const PROBLEMS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request line and headers are larger than this server accepts.' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, detail: 'The chunk extensions are larger than this server accepts.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request was not received in time.' },
};

const answered = new WeakSet<Duplex>();
const LINGER_MS = 1_000;

/**
 * Like Node's own handler (answer only when nothing of a response was written yet), in
 * problem+json; then half-closes and lingers briefly instead of destroying at once, so the client
 * reads the answer rather than a reset caused by the request bytes it was still sending.
 */
function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) {
  if (answered.has(socket)) return;
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse & { _headerSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?._headerSent) {
    socket.destroy(error);
    return;
  }
  answered.add(socket);
  const { status, detail } = PROBLEMS[error.code ?? ''] ?? { status: 400, detail: 'The request is not valid HTTP.' };
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({ type: problemType(title), title, status, detail, instance: '', requestId: randomUUID() });
  // A HEAD request's answer has no body, even when it is a problem.
  const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      (head ? '' : body),
  );
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
