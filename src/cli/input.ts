/** Reads `--payload` / `--data` inputs: a file path, or `-` for standard input, as raw bytes. */
import { readFileSync } from 'node:fs';
import { fileSystemError, UsageError } from '../errors.js';
import type { InputStream } from './context.js';

export async function readInput(stdin: InputStream, source: string, flag: string): Promise<Buffer> {
  if (source === '-') {
    if (stdin.isTTY)
      throw new UsageError(
        `${flag} - reads standard input, but nothing is piped in`,
        `pipe a payload in, or pass ${flag} FILE`,
      );
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return readFileSync(source);
  } catch (err) {
    const e = fileSystemError(err, source, 'read', `check the path given to ${flag}`);
    throw new UsageError(e.message, e.hint);
  }
}
