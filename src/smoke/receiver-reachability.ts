/**
 * Whether smoke can start at all: a receiver that refuses the first connection, or accepts none
 * within `--wait`, is one fact to report rather than a failure per check. Through a forward
 * proxy the first connection is the proxy's, so that is the one tried (the receiver behind it
 * is the proxy's to reach, and the checks say how that went).
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl } from '../core/redact.js';
import { formatLimit } from '../format/display.js';
import { proxyFor, proxyLabel, proxyProblem, proxySettings } from '../http/proxy-settings.js';
import type { SmokeRunOptions } from './smoke-run.js';

const CONNECT_RETRY_MS = 200;

/**
 * Why the checks cannot run: with `waitMs`, nothing accepted a connection in that time; without
 * it, the first connection was refused. Other failures (a timeout, an unknown host) are left to
 * the checks, whose reasons name them.
 */
export async function unreachableReason(
  options: Pick<SmokeRunOptions, 'url' | 'waitMs' | 'timeoutMs' | 'env'>,
): Promise<string | undefined> {
  const route = proxyFor(new URL(options.url), proxySettings(options.env ?? {}));
  if (route) return proxyUnreachableReason(options, route);
  const where = redactUrl(options.url);
  if (options.waitMs) {
    if (await waitForConnection(options.url, options.waitMs)) return undefined;
    return `nothing accepted a connection at ${where} within ${formatLimit(options.waitMs)} (--wait), so no check was run — is the receiver running on that port?`;
  }
  if ((await connectOnce(options.url, Math.min(options.timeoutMs, 2_000))) !== 'ECONNREFUSED') return undefined;
  return `connection refused at ${where}, so no check was run — is the receiver running on that port? (--wait 30s waits for one that is still starting)`;
}

async function proxyUnreachableReason(
  options: Pick<SmokeRunOptions, 'url' | 'waitMs' | 'timeoutMs'>,
  route: NonNullable<ReturnType<typeof proxyFor>>,
): Promise<string | undefined> {
  if (options.waitMs) {
    if (await waitForConnection(route.proxy, options.waitMs)) return undefined;
    return `nothing accepted a connection at ${proxyLabel(route)} within ${formatLimit(options.waitMs)} (--wait), so no check was run — check ${route.variable}`;
  }
  const outcome = await connectOnce(route.proxy, Math.min(options.timeoutMs, 2_000));
  if (outcome !== 'ECONNREFUSED' && outcome !== 'ENOTFOUND') return undefined;
  const { message, hint } = proxyProblem(
    route,
    new URL(options.url),
    outcome === 'ECONNREFUSED' ? 'refused the connection' : 'cannot be resolved',
  );
  return `${message}, so no check was run — ${hint}`;
}

function connectTarget(url: string): { host: string; port: number } {
  const { hostname, port, protocol } = new URL(url);
  return { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || (protocol === 'https:' ? 443 : 80) };
}

/** One TCP connection attempt: `'connected'`, or the error code (`'ECONNREFUSED'`, `'timeout'`, …). */
function connectOnce(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(connectTarget(url));
    const done = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.once('connect', () => done('connected'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
  });
}

/** Tries a TCP connection to the URL's host and port until one succeeds or `waitMs` passes. */
export async function waitForConnection(url: string, waitMs: number): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  while (true) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if ((await connectOnce(url, Math.min(left, 2_000))) === 'connected') return true;
    const pause = Math.min(CONNECT_RETRY_MS, deadline - performance.now());
    if (pause > 0) await sleep(pause);
  }
}
