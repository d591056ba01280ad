/**
 * The inspector's page: the filter, the chart, the list and the detail of the selected delivery,
 * and the dialogs (edit and replay, compare, export, curl). Keys as in the TUI: j/k move, Enter
 * opens, / filters, r replays, e edits and replays; x marks a row for compare and export.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ActivityBatch, DetailJson, ExportAnswer, InspectorInfo, ReplayAnswer } from '../inspector/wire.js';
import { ActivityChart } from './ActivityChart.js';
import { type Activity, chartSeconds, mergeActivity } from './activity.js';
import { ApiError, getJson, postJson } from './api.js';
import { DetailView } from './DetailView.js';
import { DiffView } from './DiffView.js';
import { EditReplay } from './EditReplay.js';
import { RowList } from './RowList.js';
import { useRows } from './use-rows.js';

type Dialog = { kind: 'edit' } | { kind: 'diff'; a: DetailJson; b: DetailJson } | { kind: 'export' } | { kind: 'curl' };

const FILTER_WORDS = 'status:4xx  event:customer.cart.added  invalid  valid  dup  schema:invalid  in  out  any text';

export function App() {
  const [info, setInfo] = useState<InspectorInfo | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [detail, setDetail] = useState<DetailJson | null>(null);
  const [marked, setMarked] = useState<ReadonlySet<number>>(new Set());
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const filterInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    getJson<InspectorInfo>('/api/info').then(setInfo, (err: Error) =>
      setProblem(err instanceof ApiError && err.status === 403 ? `${err.message}` : err.message),
    );
  }, []);

  // The chart keeps its own state and clock: its tick every second redraws it alone, not the page.
  const chartFeed = useMemo(() => new Set<(batch: ActivityBatch) => void>(), []);
  const onActivity = useCallback(
    (batch: ActivityBatch) => {
      for (const listener of chartFeed) listener(batch);
    },
    [chartFeed],
  );
  const [rows, page] = useRows(query, onActivity);

  // Nothing is selected until the user picks a row: following the newest would fetch and draw a
  // detail for every batch of a burst.
  const selected = selectedId;
  const index = rows.rows.findIndex((r) => r.id === selected);

  const shownId = useRef<number | null>(null);
  shownId.current = detail?.row.id ?? null;
  useEffect(() => {
    if (selected === null) return setDetail(null);
    if (shownId.current === selected) return;
    let current = true;
    const timer = setTimeout(() => {
      getJson<DetailJson>(`/api/rows/${selected}`).then(
        (d) => current && setDetail(d),
        (err: Error) => current && setMessage({ ok: false, text: err.message }),
      );
    }, 60);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [selected]);

  const say = (ok: boolean, text: string) => setMessage({ ok, text });
  const failed = (err: unknown) =>
    say(false, err instanceof ApiError && err.hint ? `${err.message} — ${err.hint}` : (err as Error).message);

  const replay = () => {
    if (!detail) return;
    say(true, `replaying ${detail.row.deliveryId ?? `#${detail.row.id}`}…`);
    postJson<ReplayAnswer>(`/api/rows/${detail.row.id}/replay`, {}).then((a) => say(a.ok, a.line), failed);
  };

  const toggleMark = useCallback(
    (id: number) =>
      setMarked((m) => {
        const next = new Set(m);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  // On a phone the list has no detail beside it: choosing a row opens it.
  const openRow = useCallback((id: number) => {
    setSelectedId(id);
    setOpen(true);
  }, []);

  const compare = async () => {
    const ids = [...marked].slice(-2);
    if (ids.length < 2) return say(false, 'mark two deliveries to compare (x, or the boxes)');
    try {
      const [a, b] = await Promise.all(ids.sort((x, y) => x - y).map((id) => getJson<DetailJson>(`/api/rows/${id}`)));
      setDialog({ kind: 'diff', a: a!, b: b! });
    } catch (err) {
      failed(err);
    }
  };

  const copyCurl = async () => {
    if (!detail) return;
    setDialog({ kind: 'curl' });
    try {
      await navigator.clipboard.writeText(detail.curl);
      say(true, 'curl command copied to the clipboard');
    } catch {
      say(true, 'select the command and copy it');
    }
  };

  const move = (by: number) => {
    if (rows.rows.length === 0) return;
    const next = Math.max(0, Math.min(rows.rows.length - 1, Math.max(index, 0) + by));
    if (by > 0 && index === rows.rows.length - 1 && rows.older !== null) return page.olderPage();
    setSelectedId(rows.rows[next]!.id);
  };

  /** The TUI's keys; false when `key` is none of them. */
  const runKey = (key: string): boolean => {
    switch (key) {
      case 'j':
      case 'ArrowDown':
        move(1);
        return true;
      case 'k':
      case 'ArrowUp':
        move(-1);
        return true;
      case 'Enter':
        if (selected === null && rows.rows[0]) setSelectedId(rows.rows[0].id);
        if (selected !== null || rows.rows[0]) setOpen(true);
        return true;
      case '/':
        filterInput.current?.focus();
        return true;
      case 'r':
        if (info?.canSign) replay();
        return true;
      case 'e':
        if (info?.canSign && detail) setDialog({ kind: 'edit' });
        return true;
      case 'x':
        if (selected !== null) toggleMark(selected);
        return true;
      case 'c':
        void compare();
        return true;
      default:
        return false;
    }
  };

  // The listener is added once and calls the newest handler: a key pressed right after a click
  // must see the click's selection, not the one from the render before it.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  onKey.current = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (e.key === 'Escape') {
      if (dialog) setDialog(null);
      else if (target === filterInput.current) filterInput.current.blur();
      else setOpen(false);
      return;
    }
    if (dialog || e.ctrlKey || e.metaKey || e.altKey) return;
    if (target.closest('input, textarea, select, [contenteditable]')) return;
    if (!runKey(e.key)) return;
    e.preventDefault();
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  if (problem)
    return (
      <div class="refused" role="alert">
        <h1>webhooks-cli inspector</h1>
        <p>{problem}</p>
      </div>
    );

  return (
    <div class={`app${open ? ' detail-open' : ''}`}>
      <header class="top">
        <h1>
          <span class={`dot ${rows.connected ? 'on' : 'off'}`} title={rows.connected ? 'live' : 'not connected'} />
          inspector
          <span class="muted where">
            {info?.mode === 'listen' ? info.listenerUrl : info ? `history ${info.dbPath}` : ''}
          </span>
        </h1>
        <form
          class="filter"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(draft.trim());
            setSelectedId(null);
            filterInput.current?.blur();
          }}
        >
          <input
            ref={filterInput}
            name="filter"
            type="search"
            aria-label="filter"
            placeholder={`/ filter: ${FILTER_WORDS}`}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
        </form>
        <div class="tools">
          <button type="button" onClick={() => void compare()} disabled={marked.size < 2}>
            Compare <kbd>c</kbd>
          </button>
          <button
            type="button"
            onClick={() => setDialog({ kind: 'export' })}
            disabled={marked.size === 0 && selected === null}
          >
            Export{marked.size ? ` ${marked.size}` : ''}
          </button>
        </div>
      </header>
      <LiveChart feed={chartFeed} />
      {message ? (
        <p class={`message ${message.ok ? 'ok' : 'bad'}`} role="status" data-testid="message">
          {message.text}
        </p>
      ) : null}
      <div class="panes">
        <section class="list-pane" aria-label="list">
          <div class="pager">
            <span>
              {rows.live ? <strong class="live">live</strong> : `page ${rows.page}`}
              {query ? <span class="muted"> · filter “{query}”</span> : null}
              {rows.skipped ? (
                <span class="muted"> · {rows.skipped.toLocaleString()} more arrived than shown</span>
              ) : null}
            </span>
            {!rows.live ? (
              <button type="button" onClick={page.newest}>
                {rows.arrivedMeanwhile ? `${rows.arrivedMeanwhile.toLocaleString()} new — ` : ''}back to live
              </button>
            ) : null}
            <button type="button" onClick={page.newerPage} disabled={rows.page <= 1}>
              Newer
            </button>
            <button type="button" onClick={page.olderPage} disabled={rows.older === null}>
              Older
            </button>
          </div>
          {rows.error ? <p class="bad">{rows.error}</p> : null}
          {rows.rows.length === 0 && !rows.loading ? (
            <p class="empty muted">
              {query ? 'Nothing matches the filter here.' : 'No deliveries yet.'}
              {query && rows.older !== null ? ' Older ones may: press Older.' : ''}
            </p>
          ) : (
            <RowList
              rows={rows.rows}
              selectedId={selected}
              marked={marked}
              onSelect={openRow}
              onOpen={openRow}
              onToggleMark={toggleMark}
            />
          )}
          <p class="keys muted">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>/</kbd> filter · <kbd>r</kbd> replay ·{' '}
            <kbd>e</kbd> edit · <kbd>x</kbd> mark · <kbd>c</kbd> compare
          </p>
        </section>
        <section class="detail-pane" aria-label="detail">
          {detail ? (
            <DetailView
              detail={detail}
              info={info}
              marked={marked.has(detail.row.id)}
              onReplay={replay}
              onEdit={() => setDialog({ kind: 'edit' })}
              onCurl={() => void copyCurl()}
              onToggleMark={() => toggleMark(detail.row.id)}
              onClose={() => setOpen(false)}
            />
          ) : (
            <p class="muted empty">Select a delivery.</p>
          )}
        </section>
      </div>
      {dialog ? <button type="button" class="backdrop" aria-label="close" onClick={() => setDialog(null)} /> : null}
      {dialog?.kind === 'edit' && detail ? (
        <EditReplay detail={detail} onClose={() => setDialog(null)} onSent={(a) => say(a.ok, a.line)} />
      ) : null}
      {dialog?.kind === 'diff' ? <DiffView a={dialog.a} b={dialog.b} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'curl' && detail ? <CurlDialog command={detail.curl} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'export' ? (
        <ExportDialog
          ids={marked.size ? [...marked] : selected === null ? [] : [selected]}
          onClose={() => setDialog(null)}
          onDone={(a) =>
            say(true, `wrote ${a.fixtures} fixture${a.fixtures === 1 ? '' : 's'} and manifest.json to ${a.dir}`)
          }
        />
      ) : null}
    </div>
  );
}

function CurlDialog({ command, onClose }: { command: string; onClose(): void }) {
  return (
    <div
      class="dialog curl"
      role="dialog"
      aria-modal="true"
      aria-label="curl command"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <header class="dialog-head">
        <h2>Copy as curl</h2>
        <button type="button" class="close" onClick={onClose} aria-label="close">
          ×
        </button>
      </header>
      <p class="muted">Sends the request again as it was recorded, its signature included.</p>
      <textarea class="code curl-command" readOnly rows={8} value={command} onFocus={(e) => e.currentTarget.select()} />
    </div>
  );
}

function ExportDialog({ ids, onClose, onDone }: { ids: number[]; onClose(): void; onDone(a: ExportAnswer): void }) {
  const [dir, setDir] = useState('webhooks-fixtures');
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    try {
      onDone(await postJson<ExportAnswer>('/api/export', { ids, dir }));
      onClose();
    } catch (err) {
      setError(err instanceof ApiError && err.hint ? `${err.message} — ${err.hint}` : (err as Error).message);
    }
  };
  return (
    <div
      class="dialog export"
      role="dialog"
      aria-modal="true"
      aria-label="export as fixtures"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <header class="dialog-head">
          <h2>
            Export {ids.length} deliver{ids.length === 1 ? 'y' : 'ies'} as fixtures
          </h2>
          <button type="button" class="close" onClick={onClose} aria-label="close">
            ×
          </button>
        </header>
        <p class="muted">
          Each body byte for byte, and a manifest.json — what <code>trigger --data DIR</code> and{' '}
          <code>smoke --fixtures DIR</code> read.
        </p>
        <label class="field">
          <span>Folder (relative to where the inspector runs)</span>
          <input name="dir" value={dir} onInput={(e) => setDir(e.currentTarget.value)} />
        </label>
        {error ? <p class="bad">{error}</p> : null}
        <footer class="dialog-foot">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Export
          </button>
        </footer>
      </form>
    </div>
  );
}

/** The chart with its state: the seconds the feed sends, and a clock that moves them along. */
function LiveChart({ feed }: { feed: Set<(batch: ActivityBatch) => void> }) {
  const [activity, setActivity] = useState<Activity>(new Map());
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const listener = (batch: ActivityBatch) =>
      setActivity((past) =>
        mergeActivity(batch.reset ? new Map() : past, batch.seconds, Math.floor(Date.now() / 1000)),
      );
    feed.add(listener);
    const clock = setInterval(() => {
      if (!document.hidden) setNow(Math.floor(Date.now() / 1000));
    }, 1000);
    return () => {
      feed.delete(listener);
      clearInterval(clock);
    };
  }, [feed]);
  const seconds = useMemo(() => chartSeconds(activity, now), [activity, now]);
  return <ActivityChart seconds={seconds} />;
}
