/**
 * The relay's Prometheus metrics (`GET /metrics`), in a registry of its own so nothing else a
 * process might load adds to it. Gauges are read from the relay when scraped; counters and the
 * histogram are fed as requests finish.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { droppedHeaderLabel } from './relay-answers.js';

export interface RelayGaugeSource {
  stats(): { channels: number; connected: number; pending: number };
  /** Bytes waiting in the listeners' WebSocket send buffers. */
  queuedBytes(): number;
  /** undefined without --redis. */
  redisUp(): boolean | undefined;
  /** What the hold store keeps; undefined when the relay does not hold (--offline refuse). */
  held?(): Promise<{ deliveries: number; oldestAt: number | null }>;
}

export class RelayMetrics {
  readonly #registry = new Registry();
  readonly #requests: Counter<'status'>;
  readonly #rateLimited: Counter;
  readonly #headersDropped: Counter<'header'>;
  readonly #duration: Histogram<'status'>;
  /** Only on a relay that holds (`--offline hold`). */
  readonly #drained: Counter | undefined;
  readonly #refused: Counter<'reason'> | undefined;
  readonly #dropped: Counter<'reason'> | undefined;

  constructor(source: RelayGaugeSource) {
    const registers = [this.#registry];
    this.#requests = new Counter({
      name: 'relay_requests_total',
      help: 'Requests to channels, by the status the sender got',
      labelNames: ['status'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'relay_rate_limited_total',
      help: 'Requests refused with 429 because their channel was over --rate-limit',
      registers,
    });
    this.#headersDropped = new Counter({
      name: 'relay_answer_headers_dropped_total',
      help: "Headers of listeners' answers not passed to senders (not on the allowlist), by name for the notable ones, else other",
      labelNames: ['header'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'relay_request_duration_seconds',
      help: 'From the request read in full to the answer sent, by status',
      labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge(
      'relay_channels',
      'Channels this instance holds (a listener connected, or answers pending)',
      () => source.stats().channels,
    );
    gauge('relay_connected_listeners', 'Listeners connected to this instance', () => source.stats().connected);
    gauge('relay_pending_requests', 'Senders on this instance waiting for an answer', () => source.stats().pending);
    gauge(
      'relay_queued_bytes',
      "Bytes sent to this instance's listeners that their connections have not taken yet",
      () => source.queuedBytes(),
    );
    if (source.redisUp() !== undefined)
      gauge('relay_redis_up', '1 while this instance is connected to Redis, else 0', () => (source.redisUp() ? 1 : 0));
    const held = source.held;
    if (held) {
      this.#drained = new Counter({
        name: 'relay_held_drained_total',
        help: 'Held deliveries handed to a listener and acknowledged',
        registers,
      });
      this.#refused = new Counter({
        name: 'relay_held_refused_total',
        help: 'Deliveries that could not be held (503): the channel at its limit (full), or the hold store failing (unavailable)',
        labelNames: ['reason'],
        registers,
      });
      this.#dropped = new Counter({
        name: 'relay_held_dropped_total',
        help: 'Held deliveries dropped undelivered: past --hold-for (expired), skipped by the listener (skipped), a revoked key (revoked)',
        labelNames: ['reason'],
        registers,
      });
      // One read of the store per scrape, shared by both gauges; a store that cannot be read
      // (Redis away) leaves them at their last values rather than failing the scrape.
      let reading: Promise<{ deliveries: number; oldestAt: number | null } | undefined> | undefined;
      const read = () => {
        reading ??= held()
          .catch(() => undefined)
          .finally(() => setImmediate(() => (reading = undefined)));
        return reading;
      };
      new Gauge({
        name: 'relay_held_deliveries',
        help: 'Deliveries held for channels with no listener connected',
        registers,
        async collect() {
          const totals = await read();
          if (totals) this.set(totals.deliveries);
        },
      });
      new Gauge({
        name: 'relay_held_oldest_seconds',
        help: 'Age of the oldest held delivery (0 when none)',
        registers,
        async collect() {
          const totals = await read();
          if (totals) this.set(totals.oldestAt === null ? 0 : Math.max(0, (Date.now() - totals.oldestAt) / 1000));
        },
      });
    }
  }

  heldDrained(count: number): void {
    this.#drained?.inc(count);
  }

  heldRefused(reason: 'full' | 'unavailable'): void {
    this.#refused?.inc({ reason });
  }

  heldDropped(count: number, reason: 'expired' | 'skipped' | 'revoked'): void {
    this.#dropped?.inc({ reason }, count);
  }

  /** A sender got `status` after `seconds`. */
  answered(status: number, seconds: number): void {
    this.#requests.inc({ status: String(status) });
    this.#duration.observe({ status: String(status) }, seconds);
  }

  /** Counts the header `names` dropped from one answer. */
  headersDropped(names: readonly string[]): void {
    for (const name of names) this.#headersDropped.inc({ header: droppedHeaderLabel(name) });
  }

  rateLimited(): void {
    this.#rateLimited.inc();
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  text(): Promise<string> {
    return this.#registry.metrics();
  }
}
