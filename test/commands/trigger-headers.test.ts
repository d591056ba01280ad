/**
 * `trigger --header 'Name: value'` against a recording receiver: extra headers arrive beside the
 * signed ones; the signature, event, delivery and content-type headers are trigger's unless
 * --unsigned; a malformed flag is one usage line (exit 2) naming the header and the fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
let app: RecordingServer | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function receiver() {
  app = await startRecordingServer(() => ({ status: 200 }));
  return app;
}

describe('trigger --header', () => {
  it('adds each header (repeatable, a repeated name joined) beside the signed headers, which still verify', async () => {
    const server = await receiver();
    const result = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--header',
      'X-Tenant: acme',
      '--header',
      'x-trace:  abc 123 ',
      '--header',
      'X-Trace: def',
      '--header',
      'X-Empty:',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { headers, body } = server.requests[0]!;
    expect(headers['x-tenant']).toBe('acme');
    expect(headers['x-trace']).toBe('abc 123, def');
    expect(headers['x-empty']).toBe('');
    expect(headers['x-webhook-event']).toBe('catalog.product.created');
    expect(headers['content-type']).toBe('application/json');
    expect(verify(body, headers['x-webhook-signature'], [SECRET]).valid).toBe(true);
  });

  it('goes with every delivery of a load run, and into the history', async () => {
    const server = await receiver();
    const result = await runCli([
      'trigger',
      'customer.cart.added',
      '--count',
      '5',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--header',
      'X-Tenant: acme',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests.map((r) => r.headers['x-tenant'])).toEqual(['acme', 'acme', 'acme', 'acme', 'acme']);
  });

  it.each([
    ['X-Webhook-Signature: sha256=00', 'X-Webhook-Signature'],
    ['x-webhook-event: order.created', 'X-Webhook-Event'],
    ['X-Webhook-Delivery: dlv_mine', 'X-Webhook-Delivery'],
    ['Content-Type: text/plain', 'Content-Type'],
  ])('refuses %s on a signed delivery (exit 2, nothing sent)', async (flag, name) => {
    const server = await receiver();
    const result = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--header',
      flag,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: --header would override ${name}, which trigger sets for a signed delivery — drop that --header, or pass --unsigned to send your own ${name}`,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('with --unsigned sends the headers as given: a hand-made signature, event and delivery id', async () => {
    const server = await receiver();
    const result = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--unsigned',
      '--header',
      'X-Webhook-Signature: sha256=deadbeef',
      '--header',
      'X-Webhook-Delivery: dlv_mine',
      '--header',
      'X-Webhook-Event: catalog.product.deleted',
      '--header',
      'Content-Type: application/json; charset=utf-8',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests[0]!.headers).toMatchObject({
      'x-webhook-signature': 'sha256=deadbeef',
      'x-webhook-delivery': 'dlv_mine',
      'x-webhook-event': 'catalog.product.deleted',
      'content-type': 'application/json; charset=utf-8',
    });
  });

  it.each([
    [
      'X-Tenant acme',
      "error: --header \"X-Tenant acme\" has no colon — write it as 'Name: value', e.g. --header 'X-Tenant: acme'",
    ],
    [
      'X Tenant: acme',
      'error: --header "X Tenant: acme": "X Tenant" is not a header name — a name is letters, digits and - (no spaces), e.g. X-Tenant',
    ],
    [
      ': acme',
      'error: --header ": acme": "" is not a header name — a name is letters, digits and - (no spaces), e.g. X-Tenant',
    ],
    [
      'X-Tenant: a\nb',
      'error: --header X-Tenant has a control character (a line break?) in its value — give the value on one line',
    ],
    [
      'Content-Length: 5',
      "error: --header cannot set Content-Length: the connection's headers are set as the request is sent — drop that --header",
    ],
  ])('a malformed --header %j is one usage line, exit 2', async (flag, line) => {
    const server = await receiver();
    const result = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--unsigned',
      '--header',
      flag,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(line);
    expect(server.requests).toHaveLength(0);
  });

  it('is offered by completion and shown in trigger --help', async () => {
    const completion = await runCli(['__complete', '--', 'trigger', '--he']);
    expect(completion.stdout.split('\n')).toContain('--header');
    const help = await runCli(['trigger', '--help']);
    expect(help.stdout).toContain('--header <name: value>');
  });
});
