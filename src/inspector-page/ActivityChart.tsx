/**
 * The last minute of traffic: a bar a second, stacked by status class, and the mean latency as a
 * line over it (its own scale, on the right). Plain SVG: no chart library for sixty bars.
 */
import type { SecondOfActivity } from '../inspector/wire.js';
import { formatMs } from './format.js';

const WIDTH = 600;
const HEIGHT = 90;
const CLASSES = [
  ['ok', 'c2xx', '2xx'],
  ['redirect', 'c3xx', '3xx'],
  ['clientError', 'c4xx', '4xx'],
  ['serverError', 'c5xx', '5xx'],
  ['other', 'cother', 'no answer'],
] as const;

/**
 * One path per status class, a rectangle a second stacked on the classes before it: five elements
 * to update a second rather than three hundred.
 */
function stackPath(seconds: SecondOfActivity[], key: (typeof CLASSES)[number][0], peak: number, bar: number): string {
  const order = CLASSES.map(([k]) => k);
  const below = order.slice(0, order.indexOf(key));
  let d = '';
  seconds.forEach((s, i) => {
    const h = (s[key] / peak) * (HEIGHT - 4);
    if (h <= 0) return;
    const base = below.reduce((y, k) => y + (s[k] / peak) * (HEIGHT - 4), 0);
    const x = i * bar + 0.5;
    d += `M${x.toFixed(1)} ${(HEIGHT - base - h).toFixed(1)}h${Math.max(1, bar - 1).toFixed(1)}v${h.toFixed(1)}h${(-Math.max(1, bar - 1)).toFixed(1)}z`;
  });
  return d;
}

export function ActivityChart({ seconds }: { seconds: SecondOfActivity[] }) {
  const peak = Math.max(1, ...seconds.map((s) => s.total));
  const slowest = Math.max(1, ...seconds.map((s) => s.meanMs ?? 0));
  const bar = WIDTH / seconds.length;
  const last = seconds[seconds.length - 1];
  const previous = seconds[seconds.length - 2];
  const sum = (key: (typeof CLASSES)[number][0]) => seconds.reduce((n, s) => n + s[key], 0);
  const timed = seconds.filter((s) => s.meanMs !== null);
  const meanMs = timed.length
    ? timed.reduce((n, s) => n + (s.meanMs ?? 0) * s.total, 0) / timed.reduce((n, s) => n + s.total, 0)
    : null;
  const line = seconds
    .map((s, i) => (s.meanMs === null ? null : `${(i + 0.5) * bar},${HEIGHT - (s.meanMs / slowest) * (HEIGHT - 4)}`))
    .filter((p): p is string => p !== null)
    .join(' ');
  return (
    <figure class="chart" aria-label="traffic in the last minute">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label="requests per second by status class, and mean latency"
      >
        {CLASSES.map(([key, css]) => (
          <path key={key} class={css} d={stackPath(seconds, key, peak, bar)} />
        ))}
        {line ? <polyline class="latency" points={line} /> : null}
      </svg>
      <figcaption>
        <span data-testid="rate">{(previous?.total ?? last?.total ?? 0).toLocaleString()}/s</span>
        {CLASSES.map(([key, css, label]) => {
          const n = sum(key);
          return n ? (
            <span key={key} class="legend">
              <i class={css} /> {label} {n.toLocaleString()}
            </span>
          ) : null;
        })}
        <span class="legend">
          <i class="latency" /> mean {formatMs(meanMs)} · peak {peak.toLocaleString()}/s · slowest mean{' '}
          {formatMs(slowest === 1 && !timed.length ? null : slowest)}
        </span>
      </figcaption>
    </figure>
  );
}
