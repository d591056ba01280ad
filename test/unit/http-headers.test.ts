/** Which headers pass through a forwarder or the tunnel. */
import { describe, expect, it } from 'vitest';
import { endToEndHeaders } from '../../src/core/http-headers.js';

describe('endToEndHeaders', () => {
  it('drops connection-level headers and content-length, keeps host and repeated headers', () => {
    expect(
      endToEndHeaders({
        Connection: 'close',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-length': '3',
        host: 'relay.example.com',
        'set-cookie': ['a', 'b'],
        'x-webhook-signature': 'sha256=ab',
        gone: undefined,
      }),
    ).toEqual({ host: 'relay.example.com', 'set-cookie': ['a', 'b'], 'x-webhook-signature': 'sha256=ab' });
  });

  it('drops the names it is also given (host, for a new connection to another origin)', () => {
    expect(
      endToEndHeaders({ host: '127.0.0.1:3000', Host: 'x', 'content-type': 'application/json' }, ['host']),
    ).toEqual({ 'content-type': 'application/json' });
  });

  it('drops the headers the Connection header names (RFC 9110 §7.6.1)', () => {
    expect(
      endToEndHeaders({
        connection: ['keep-alive, X-Internal-Auth', 'x-other'],
        'x-internal-auth': 'secret',
        'X-Other': '1',
        'x-kept': '2',
      }),
    ).toEqual({ 'x-kept': '2' });
  });
});
