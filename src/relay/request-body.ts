/** Reading a sender's body within the relay's limit: whole before it is forwarded, cut off (413) the moment it is over. */
import type http from 'node:http';

export function takeInBody(
  req: http.IncomingMessage,
  maxBodyBytes: number,
  on: { tooLarge: () => void; complete: (body: Buffer) => void },
): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    on.tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let aborted = false;
  req.on('data', (chunk: Buffer) => {
    if (aborted) return;
    size += chunk.length;
    if (size > maxBodyBytes) {
      aborted = true;
      return on.tooLarge();
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (aborted) return;
    const body = Buffer.concat(chunks, size);
    // The request stays referenced while its sender waits; its pieces need not.
    chunks.length = 0;
    on.complete(body);
  });
  req.on('error', () => {
    aborted = true;
  });
}
