/**
 * JSON error answers written straight onto a socket, for the moments node:http has no response
 * object to write with: a request it could not parse (`clientError`) and a refused WebSocket
 * upgrade. The receiver, the relay and the emulator answer these the same way.
 */
import http from 'node:http';
import type { Socket } from 'node:net';

export interface SocketErrorAnswer {
  status: number;
  /** The `error.code` of the JSON body, e.g. `headers_too_large`. */
  code: string;
  message: string;
}

/** What node could not read as a request: too slow (408), headers over `maxHeaderBytes` (431), or malformed (400). */
export function describeClientError(
  err: NodeJS.ErrnoException,
  maxHeaderBytes = http.maxHeaderSize,
): SocketErrorAnswer {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, code: 'request_timeout', message: 'the client did not finish sending the request in time' };
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      code: 'headers_too_large',
      message: `request headers larger than ${maxHeaderBytes / 1024} KiB`,
    };
  return { status: 400, code: 'bad_request', message: `malformed HTTP request (${err.code ?? err.message})` };
}

/** Writes `{"error": {code, message}}` as a whole HTTP/1.1 answer (plus `headers`) and closes the socket. */
export function endWithJsonError(
  socket: Socket,
  { status, code, message }: SocketErrorAnswer,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface ClientErrorOptions {
  /** The server's `maxHeaderSize`, for the 431 message; node's default otherwise. */
  maxHeaderBytes?: number;
  /** Extra headers for the answer, e.g. the relay's `X-Relay-Error`. */
  headers?: (answer: SocketErrorAnswer) => Record<string, string>;
}

/**
 * A `clientError` handler's work: answers 408, 431 or 400 and returns what it answered, or
 * returns undefined when the peer is already gone (a reset or a closed socket gets no answer).
 */
export function answerClientError(
  err: NodeJS.ErrnoException,
  socket: Socket,
  options: ClientErrorOptions = {},
): SocketErrorAnswer | undefined {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return undefined;
  }
  const answer = describeClientError(err, options.maxHeaderBytes);
  endWithJsonError(socket, answer, options.headers?.(answer));
  return answer;
}
