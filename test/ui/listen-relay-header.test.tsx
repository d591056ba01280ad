import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { headerState } from '../../src/tunnel/listen-tunnel.js';
import { ListenHeader } from '../../src/ui/listen/ListenHeader.js';

const stats = { received: 0, valid: 0, invalid: 0, duplicates: 0, failed: 0, ratePerSecond: 0 };

function header(relay: Parameters<typeof headerState>[0]) {
  const { lastFrame, unmount } = render(
    <ListenHeader
      url="http://127.0.0.1:3000/webhook"
      secrets={['s3cret']}
      verify
      stats={stats}
      info={{ relay: headerState(relay) }}
    />,
  );
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
}

describe('listen header with a relay', () => {
  const base = { relayUrl: 'ws://relay/connect', attempts: 0 };

  it('shows the connection state and the public URL', () => {
    expect(header({ ...base, state: 'connected', publicUrl: 'http://relay:8080/ch_abc' })).toContain(
      'relay connected http://relay:8080/ch_abc',
    );
  });

  it('shows that it is reconnecting, and why when the line has room', () => {
    expect(header({ ...base, state: 'reconnecting', retryInMs: 1000, error: 'reset' })).toMatch(
      /relay reconnecting \(reset, retrying in 1 s at \d\d:\d\d:\d\d\)/,
    );
    expect(
      header({
        ...base,
        state: 'reconnecting',
        publicUrl: 'http://relay:8080/ch_abc',
        retryInMs: 1000,
        error: 'reset',
      }),
    ).toContain('relay reconnecting http://relay:8080/ch_abc');
  });

  it("shows the relay's URL and words with their control characters escaped", () => {
    const frame = header({
      ...base,
      state: 'reconnecting',
      publicUrl: 'http://relay:8080/ch_\u001b]2;pwned\u0007',
      retryInMs: 1000,
      error: 'reset\r\u001b[2J',
    });
    expect(frame).toContain('ch_\\u001b]2;pwned\\u0007');
    expect(frame).not.toContain('\u0007');
    expect(frame).not.toContain('\u001b]');
  });
});

describe('listen header catching up', () => {
  it("shows the relay's backlog beside the connection", () => {
    const { lastFrame, unmount } = render(
      <ListenHeader
        url="http://127.0.0.1:3000/webhook"
        secrets={['s3cret']}
        verify
        stats={stats}
        info={{
          relay: { state: 'connected', publicUrl: 'http://relay/ch_abc' },
          backlog: { state: 'caught-up', count: 1204, skipped: 0, maxHeldMs: 11_520_000 },
        }}
      />,
    );
    expect(lastFrame()).toContain(
      'relay connected http://relay/ch_abc · caught up 1,204 deliveries held for up to 3h12m',
    );
    unmount();
  });
});

describe('listen header with an app that is down', () => {
  it('says how many deliveries it holds for the app', () => {
    const { lastFrame, unmount } = render(
      <ListenHeader
        url="http://127.0.0.1:3000/webhook"
        secrets={['s3cret']}
        verify
        stats={stats}
        forwardTo="http://127.0.0.1:8000/hooks"
        info={{ appDown: { held: 12 } }}
      />,
    );
    expect(lastFrame()).toMatch(/non-2xx 0 +0\.0\/s +app down — 12 held/);
    unmount();
  });
});
