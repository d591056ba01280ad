/** Raw HTTP/1.1 over a loopback socket: send exact bytes, read every answer until the server closes. */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  /** Final (non-1xx) answers, in order. */
  answers: RawAnswer[];
  /** The socket was still open at the deadline (the server neither answered in full nor closed). */
  timedOut: boolean;
  /** Bytes that could not be read as a response (should stay empty). */
  garbage: string;
}

/** Writes `bytes` (in pieces if given several) on a new connection and collects what comes back. */
export function rawExchange(
  port: number,
  pieces: Buffer[],
  { deadlineMs = 5_000, headRequest = false } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, deadlineMs);
    socket.on('connect', () => {
      for (const piece of pieces) socket.write(piece);
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // The server may close while we are still writing (an early 413/431): that is fine.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ...parseResponses(Buffer.concat(received), headRequest), timedOut });
    });
  });
}

/** Splits a byte stream into HTTP responses (Content-Length or chunked framing). */
export function parseResponses(data: Buffer, headRequest: boolean): { answers: RawAnswer[]; garbage: string } {
  const answers: RawAnswer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end < 0) break;
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
    if (!match) break;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(match[1]);
    offset = end + 4;
    if (status >= 100 && status < 200) continue;
    // A HEAD answer has no body, but an answer to an unparsable HEAD request (a 400) has one.
    const rest = data.subarray(offset);
    const bodiless =
      headRequest && answers.length === 0 && (rest.length === 0 || rest.subarray(0, 7).toString() === 'HTTP/1.');
    if (!bodiless && headers['transfer-encoding'] === 'chunked') {
      const chunks: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf('\r\n', offset);
        const size = lineEnd < 0 ? 0 : parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
        if (lineEnd < 0 || !(size > 0)) {
          offset = lineEnd < 0 ? data.length : lineEnd + 4; // the last chunk and the empty trailer
          break;
        }
        chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        offset = lineEnd + 2 + size + 2;
      }
      answers.push({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
      continue;
    }
    const bodyLength = bodiless ? 0 : Number(headers['content-length'] ?? 0);
    answers.push({ status, headers, body: data.subarray(offset, offset + bodyLength).toString('utf8') });
    offset += bodyLength;
  }
  return { answers, garbage: offset < data.length ? data.subarray(offset, offset + 200).toString('latin1') : '' };
}
