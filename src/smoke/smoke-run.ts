/**
 * `smoke`'s work, without any printing: sends each planned check's requests to the receiver
 * (one at a time, so latencies are the receiver's own), judges the answers and returns the
 * report. A refused, hanging or crashing receiver fails the checks it affects; the run goes on.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { redactUrl } from '../core/redact.js';
import { sendRequest } from '../delivery/http-sender.js';
import { type DeliveryRecord } from '../store/delivery-record.js';
import { sentRecord } from '../delivery/sent-record.js';
import { applyDependency, judgeCheck, toExchangeOutcome, type CheckResult, type ExchangeOutcome } from './check-verdict.js';
import type { Fixture } from '../delivery/fixtures.js';
import { planSmokeChecks, type ProbeRequest, type SmokeCheck } from './smoke-checks.js';

export interface SmokeRunOptions {
  url: string;
  secret: string;
  events: readonly string[];
  /** Captured deliveries to send as extra checks (`--fixtures DIR`). */
  fixtures?: readonly Fixture[];
  timeoutMs: number;
  userAgent: string;
  /** Wait up to this long for the receiver to accept connections before the first check. */
  waitMs?: number;
  /** Called with every request sent and its answer (the history). */
  record?: (record: DeliveryRecord) => void;
  onCheckStart?: (check: SmokeCheck, index: number, total: number) => void;
  onCheckDone?: (result: CheckResult, index: number, total: number) => void;
}

export interface SmokeReport {
  /** The receiver's URL, with any password in it masked. */
  url: string;
  events: string[];
  timeoutMs: number;
  startedAt: Date;
  durationMs: number;
  /**
   * False when the receiver never accepted a connection (within `waitMs`, or refused at once
   * without it): then no check ran, and each is failed with `unreachable` as its reason.
   */
  receiverReachable: boolean;
  /** Why no check ran, when the receiver was not reachable. */
  unreachable?: string;
  checks: CheckResult[];
  passed: number;
  failed: number;
  ok: boolean;
}

export async function runSmoke(options: SmokeRunOptions): Promise<SmokeReport> {
  const startedAt = new Date();
  const started = performance.now();
  const checks = planSmokeChecks({ events: options.events, secret: options.secret, userAgent: options.userAgent, now: startedAt, fixtures: options.fixtures });
  const unreachable = await unreachableReason(options);
  if (unreachable) {
    // Nothing to judge: every check fails with the one reason, rather than the same refusal 21 times.
    const results = checks.map((check): CheckResult => ({
      id: check.id, group: check.group, title: check.title, expect: check.expect, dependsOn: check.dependsOn,
      passed: false, reason: unreachable, latencyMs: 0, exchanges: [],
    }));
    return {
      url: redactUrl(options.url), events: [...options.events], timeoutMs: options.timeoutMs, startedAt,
      durationMs: Math.round(performance.now() - started), receiverReachable: false, unreachable, checks: results,
      passed: 0, failed: results.length, ok: false,
    };
  }
  // A fresh connection per request: a kept-alive socket the receiver closes between checks
  // would show up as a spurious reset, and the platform does not reuse connections either.
  const agent = options.url.startsWith('https:') ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  const results: CheckResult[] = [];
  try {
    for (const [index, check] of checks.entries()) {
      options.onCheckStart?.(check, index, checks.length);
      const exchanges: ExchangeOutcome[] = [];
      for (const request of check.requests) exchanges.push(await exchange(request, agent, options));
      const result = applyDependency(judgeCheck(check, exchanges), results);
      results.push(result);
      options.onCheckDone?.(result, index, checks.length);
    }
  } finally {
    agent.destroy();
  }
  const passed = results.filter((r) => r.passed).length;
  return {
    url: redactUrl(options.url),
    events: [...options.events],
    timeoutMs: options.timeoutMs,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    receiverReachable: true,
    checks: results,
    passed,
    failed: results.length - passed,
    ok: passed === results.length,
  };
}

async function exchange(request: ProbeRequest, agent: http.Agent, options: SmokeRunOptions): Promise<ExchangeOutcome> {
  const createdAt = Date.now();
  const result = await sendRequest({ url: options.url, headers: request.headers, body: request.body, timeoutMs: options.timeoutMs, agent });
  options.record?.(sentRecord({ source: 'smoke', createdAt, event: request.event, deliveryId: request.deliveryId, url: options.url, headers: request.headers, body: request.body }, result));
  return toExchangeOutcome(request, result);
}

const CONNECT_RETRY_MS = 200;

/**
 * Why the checks cannot run: with `waitMs`, nothing accepted a connection in that time; without
 * it, the first connection was refused. Other failures (a timeout, an unknown host) are left to
 * the checks, whose reasons name them.
 */
async function unreachableReason(options: SmokeRunOptions): Promise<string | undefined> {
  const where = redactUrl(options.url);
  if (options.waitMs) {
    if (await waitForConnection(options.url, options.waitMs)) return undefined;
    return `nothing accepted a connection at ${where} within ${formatSeconds(options.waitMs)} (--wait), so no check was run — is the receiver running on that port?`;
  }
  if ((await connectOnce(options.url, Math.min(options.timeoutMs, 2_000))) !== 'ECONNREFUSED') return undefined;
  return `connection refused at ${where}, so no check was run — is the receiver running on that port? (--wait 30s waits for one that is still starting)`;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
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
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
