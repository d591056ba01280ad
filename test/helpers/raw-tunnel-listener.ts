/**
 * A listener written against the relay's wire format by hand: a bare WebSocket on `/connect`
 * that answers request frames with whatever the test says, however wrong (an interim status, a
 * header no browser should see from the relay's origin), and can stop reading altogether as a
 * stalled laptop would. The relay's own checks are what a test sees, not the tunnel client's.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, type RequestFrame, type ResponseFrame } from '../../src/tunnel/frame-codec.js';
import { until } from './until.js';

export type RawAnswer = Omit<ResponseFrame, 'kind' | 'id'> & { id?: string };

export interface RawListener {
  ws: WebSocket;
  publicUrl: string;
  channel: string;
  /** The request frames received so far. */
  requests: RequestFrame[];
  /** How the connection ended, once it has (close code). */
  closedWith: () => number | undefined;
  /** Stops reading: the TCP socket under the WebSocket is paused, so the relay's writes back up. */
  pause: () => void;
  close: () => void;
}

export interface RawListenerOptions {
  /** Handshake headers (a relay key, `authorization` for an existing channel). */
  headers?: Record<string, string>;
  /** An existing channel to open (with its token in `headers.authorization`). */
  channel?: string;
  /** Resolve once the relay's hello arrived (default) or as soon as the socket opened. */
  waitForHello?: boolean;
}

/** Connects to `relayWsUrl` and answers each request with `answer(frame)` (nothing, when it returns undefined). */
export async function connectRawListener(
  relayWsUrl: string,
  answer: (request: RequestFrame) => RawAnswer | undefined = () => undefined,
  options: RawListenerOptions = {},
): Promise<RawListener> {
  let socket: net.Socket | undefined;
  const url = `${relayWsUrl}/connect${options.channel ? `?channel=${options.channel}` : ''}`;
  const ws = new WebSocket(url, {
    headers: options.headers,
    perMessageDeflate: false,
    createConnection: ((opts: net.NetConnectOpts) => {
      socket = net.connect(opts);
      return socket;
    }) as typeof net.createConnection,
  });
  ws.on('error', () => {});
  const requests: RequestFrame[] = [];
  let hello: { publicUrl: string; channel: string } | undefined;
  let closedWith: number | undefined;
  ws.on('close', (code) => (closedWith = code));
  ws.on('message', (data: Buffer) => {
    const decoded = decodeFrame(data);
    if (!decoded.ok) return;
    const frame = decoded.frame;
    if (frame.kind === 'hello') hello = { publicUrl: frame.publicUrl, channel: frame.channel };
    if (frame.kind !== 'request') return;
    requests.push(frame);
    const reply = answer(frame);
    if (reply) ws.send(encodeFrame({ kind: 'response', id: frame.id, ...reply }));
  });
  if (options.waitForHello !== false)
    await until(() => hello !== undefined || closedWith !== undefined, 10_000, 'the relay said hello');
  else await until(() => ws.readyState !== WebSocket.CONNECTING, 10_000, 'the socket opened');
  return {
    ws,
    get publicUrl() {
      return hello?.publicUrl ?? '';
    },
    get channel() {
      return hello?.channel ?? '';
    },
    requests,
    closedWith: () => closedWith,
    pause: () => socket!.pause(),
    close: () => ws.terminate(),
  };
}
