/**
 * The list: pages of the history read newest first by keyset (never the whole history), and on
 * the newest page the live feed's batches put on top as they come. Batches are taken in once per
 * animation frame, and during a burst every BUSY_FLUSH_MS, so thousands of requests a second cost
 * the page one render every two seconds, and the list keeps PAGE_SIZE rows whatever the rate.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ActivityBatch, LiveBatch, RowJson, RowsPage } from '../inspector/wire.js';
import { getJson, liveUrl } from './api.js';

export const PAGE_SIZE = 50;
/** A flush that brings this many rows means a burst: the next waits BUSY_FLUSH_MS. */
const BUSY_ROWS = 20;
const BUSY_FLUSH_MS = 2000;
/** A filtered page reads a bounded stretch of the history per request; this many requests make one click. */
const REQUESTS_PER_PAGE = 12;

export interface RowsState {
  rows: RowJson[];
  /** On the newest page, following the live feed. */
  live: boolean;
  /** Rows that arrived while an older page was shown. */
  arrivedMeanwhile: number;
  /** Rows the feed left out because too many came at once (the list shows the newest). */
  skipped: number;
  /** Where the next older page starts; null at the oldest row. */
  older: number | null;
  /** 1 for the newest page. */
  page: number;
  loading: boolean;
  connected: boolean;
  error: string | null;
}

export interface RowsControls {
  olderPage(): void;
  newerPage(): void;
  newest(): void;
}

export function useRows(query: string, onActivity: (batch: ActivityBatch) => void): [RowsState, RowsControls] {
  const [state, setState] = useState<RowsState>({
    rows: [],
    live: true,
    arrivedMeanwhile: 0,
    skipped: 0,
    older: null,
    page: 1,
    loading: true,
    connected: false,
    error: null,
  });
  // Where each page shown so far started, for "newer".
  const starts = useRef<Array<number | undefined>>([undefined]);
  const generation = useRef(0);
  const activity = useRef(onActivity);
  activity.current = onActivity;

  const load = useCallback(
    async (before: number | undefined, page: number): Promise<number> => {
      const mine = ++generation.current;
      setState((s) => ({ ...s, loading: true, error: null }));
      let rows: RowJson[] = [];
      let cursor = before;
      let older: number | null = null;
      let lastId = 0;
      try {
        for (let request = 0; request < REQUESTS_PER_PAGE; request++) {
          const answer = await getJson<RowsPage>('/api/rows', {
            q: query,
            before: cursor,
            limit: PAGE_SIZE - rows.length,
          });
          if (mine !== generation.current) return lastId;
          lastId ||= answer.lastId;
          rows = rows.concat(answer.rows);
          older = answer.older;
          if (rows.length >= PAGE_SIZE || older === null) break;
          cursor = older;
        }
      } catch (err) {
        if (mine === generation.current) setState((s) => ({ ...s, loading: false, error: (err as Error).message }));
        return lastId;
      }
      setState((s) => ({
        ...s,
        rows,
        older,
        page,
        live: page === 1,
        arrivedMeanwhile: page === 1 ? 0 : s.arrivedMeanwhile,
        skipped: page === 1 ? 0 : s.skipped,
        loading: false,
      }));
      return lastId;
    },
    [query],
  );

  useEffect(() => {
    let source: EventSource | undefined;
    let pending: LiveBatch[] = [];
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastFlush = 0;
    let busy = false;
    let closed = false;
    // At most once a frame; under a burst (a flush that brought many rows) every BUSY_FLUSH_MS:
    // nobody reads a list that turns over a hundred rows at a time, and redrawing it is the page's cost.
    const schedule = () => {
      // A tab in the background draws nothing: what arrived is taken in when it is shown again.
      if (frame || timer || document.hidden) return;
      const wait = busy ? Math.max(0, lastFlush + BUSY_FLUSH_MS - performance.now()) : 0;
      if (wait <= 0) {
        frame = requestAnimationFrame(flush);
        return;
      }
      timer = setTimeout(() => {
        timer = undefined;
        frame = requestAnimationFrame(flush);
      }, wait);
    };
    const flush = () => {
      frame = 0;
      lastFlush = performance.now();
      busy = pending.reduce((n, b) => n + b.rows.length + b.skipped, 0) >= BUSY_ROWS;
      const batches = pending;
      pending = [];
      setState((s) => {
        const fresh = batches.flatMap((b) => b.rows).sort((a, b) => b.id - a.id);
        const skipped = batches.reduce((n, b) => n + b.skipped, 0);
        if (!s.live) return { ...s, error: null, arrivedMeanwhile: s.arrivedMeanwhile + fresh.length + skipped };
        const seen = new Set(s.rows.map((r) => r.id));
        const rows = fresh
          .filter((r) => !seen.has(r.id))
          .concat(s.rows)
          .slice(0, PAGE_SIZE);
        const older = rows.length === PAGE_SIZE ? rows[rows.length - 1]!.id : s.older;
        return { ...s, error: null, rows, older, skipped: s.skipped + skipped };
      });
    };
    const shown = () => {
      if (!document.hidden && pending.length) schedule();
    };
    document.addEventListener('visibilitychange', shown);
    starts.current = [undefined];
    void load(undefined, 1).then((lastId) => {
      if (closed) return;
      source = new EventSource(liveUrl(query, lastId));
      source.addEventListener('open', () => setState((s) => ({ ...s, connected: true })));
      source.addEventListener('error', () => setState((s) => ({ ...s, connected: false })));
      source.addEventListener('rows', (event) => {
        pending.push(JSON.parse((event as MessageEvent<string>).data) as LiveBatch);
        schedule();
      });
      source.addEventListener('problem', (event) =>
        setState((s) => ({
          ...s,
          error: (JSON.parse((event as MessageEvent<string>).data) as { message: string }).message,
        })),
      );
      source.addEventListener('activity', (event) =>
        activity.current(JSON.parse((event as MessageEvent<string>).data) as ActivityBatch),
      );
    });
    return () => {
      closed = true;
      document.removeEventListener('visibilitychange', shown);
      source?.close();
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [query, load]);

  const controls: RowsControls = {
    olderPage: () => {
      if (state.older === null || state.loading) return;
      starts.current.push(state.older);
      void load(state.older, starts.current.length);
    },
    newerPage: () => {
      if (starts.current.length <= 1 || state.loading) return;
      starts.current.pop();
      void load(starts.current[starts.current.length - 1], starts.current.length);
    },
    newest: () => {
      starts.current = [undefined];
      void load(undefined, 1);
    },
  };
  return [state, controls];
}
