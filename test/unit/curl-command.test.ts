/** Copy as curl: a command a shell runs as written, sending the recorded bytes and headers, signature included. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curlCommand, shellQuote } from '../../src/core/curl-command.js';

/** What bash makes of a quoted word: the argument curl would get. */
const unquoted = (word: string) => execFileSync('bash', ['-c', `printf %s ${word}`]).toString();

describe('curlCommand', () => {
  it('names the method, the URL and every header of the message; curl sets Host and Content-Length itself', () => {
    const command = curlCommand({
      method: 'post',
      url: 'http://127.0.0.1:3000/webhook',
      headers: {
        host: '127.0.0.1:3000',
        'content-length': '2',
        connection: 'keep-alive',
        'x-webhook-signature': 'sha256=abc',
        accept: ['a', 'b'],
        gone: undefined,
      },
      body: Buffer.from('{}'),
    });
    expect(command).toBe(
      "curl -sS -X POST 'http://127.0.0.1:3000/webhook' -H 'x-webhook-signature: sha256=abc' -H 'accept: a' -H 'accept: b' --data-binary '{}'",
    );
  });

  it('quotes a body with quotes, dollars and backticks so the shell passes it unchanged', () => {
    const body = `{"note":"it's $HOME \`whoami\` \\"x\\"\\n"}`;
    expect(unquoted(shellQuote(body))).toBe(body);
    expect(curlCommand({ method: 'POST', url: 'http://h/', headers: {}, body: Buffer.from(body) })).toContain(
      `--data-binary ${shellQuote(body)}`,
    );
  });

  it('sends a body that is not plain text through base64, so the bytes signed are the bytes sent', () => {
    const body = Buffer.from([0x7b, 0xff, 0x00, 0x1b, 0x7d]);
    const command = curlCommand({ method: 'POST', url: 'http://h/', headers: {}, body });
    expect(command).toBe(
      `printf %s '${body.toString('base64')}' | base64 -d | curl -sS -X POST 'http://h/' --data-binary @-`,
    );
    expect(execFileSync('bash', ['-c', `printf %s '${body.toString('base64')}' | base64 -d`])).toEqual(body);
  });
});
