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
import { planSmokeChecks, type ProbeRequest, type SmokeCheck } from './smoke-checks.js';

export interface SmokeRunOptions {
  url: string;
  secret: string;
  events: readonly string[];
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
  /** False when `waitMs` ran out before the receiver accepted a connection. */
  receiverReachable: boolean;
  checks: CheckResult[];
  passed: number;
  failed: number;
  ok: boolean;
}

export async function runSmoke(options: SmokeRunOptions): Promise<SmokeReport> {
  const startedAt = new Date();
  const started = performance.now();
  const checks = planSmokeChecks({ events: options.events, secret: options.secret, userAgent: options.userAgent, now: startedAt });
  const receiverReachable = options.waitMs ? await waitForConnection(options.url, options.waitMs) : true;
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
    receiverReachable,
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

/** Tries a TCP connection to the URL's host and port until one succeeds or `waitMs` passes. */
export async function waitForConnection(url: string, waitMs: number): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  const target = { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || (protocol === 'https:' ? 443 : 80) };
  const deadline = performance.now() + waitMs;
  while (true) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if (await canConnect(target, Math.min(left, 2_000))) return true;
    const pause = Math.min(CONNECT_RETRY_MS, deadline - performance.now());
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

function canConnect(target: { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
