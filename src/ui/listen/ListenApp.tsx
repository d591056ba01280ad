import { Box, Text, useInput, type Key } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { redactUrl } from '../../core/redact.js';
import type { Listener, ListenerInfo, ListenerStats } from '../../receiver/index.js';
import type { DeliveryRecord } from '../../store/delivery-record.js';
import { DeliveryDetail, clampScroll } from '../tui/DeliveryDetail.js';
import { DeliveryList } from '../tui/DeliveryList.js';
import { detailLines } from '../tui/detail-lines.js';
import { isEmptyQuery, matchesQuery, parseFilterQuery } from '../tui/filter-query.js';
import { eachKeypress } from '../tui/each-keypress.js';
import { moveAmount, routeBrowserKey } from '../tui/browser-keys.js';
import { FilterLine } from '../tui/FilterLine.js';
import { KeyHelp } from '../tui/KeyHelp.js';
import { openLine } from '../tui/line-editor.js';
import { useFadingMessage } from '../tui/use-fading-message.js';
import { useKeyState } from '../tui/use-key-state.js';
import { useTerminalSize } from '../tui/use-terminal-size.js';
import { headerHeight, ListenHeader } from './ListenHeader.js';
import { keepWindow, type LiveRow } from './live-window.js';

/** What the live view needs from a running listener. */
export type ListenSource = Pick<Listener, 'url' | 'secrets' | 'forwardTo' | 'stats' | 'onRecord' | 'info' | 'onInfo' | 'onWriteProblem'>;

export interface ListenAppProps {
  listener: ListenSource;
  verify: boolean;
  /** Re-sends a delivery; resolves with a one-line result to show. */
  replay: (record: DeliveryRecord) => Promise<string>;
  onQuit: () => void;
  /** Received requests kept on screen (older ones are in the history). */
  maxRows?: number;
  /** Bytes of bodies the kept requests may hold; fewer rows are kept when they are large. */
  maxBytes?: number;
  /** How often new requests and counts are drawn; a burst of thousands is one redraw. */
  refreshMs?: number;
  /** How long a result line (a replay's outcome) stays; any key clears it sooner. */
  messageMs?: number;
}


type Mode = 'list' | 'detail' | 'filter';

const LIST_KEYS = [['↑/↓ j/k', 'move'], ['Enter', 'details'], ['r', 'replay'], ['f', 'filter'], ['q', 'quit']] as const;
const FILTERED_LIST_KEYS = [['↑/↓ j/k', 'move'], ['Enter', 'details'], ['r', 'replay'], ['f', 'edit filter'], ['Esc', 'clear filter'], ['q', 'quit']] as const;
const DETAIL_KEYS = [['↑/↓ j/k', 'scroll'], ['Esc', 'back'], ['r', 'replay'], ['q', 'quit']] as const;
const FILTER_KEYS = [['Enter', 'apply'], ['Esc', 'clear'], ['Ctrl-U', 'erase'], ['words', 'status:401 event:… invalid dup schema:invalid text']] as const;

/** The live view of `listen`: header, the requests as they arrive, a detail view, replay and filter. */
export function ListenApp({ listener, verify, replay, onQuit, maxRows = 1000, maxBytes = 32 * 1024 * 1024, refreshMs = 100, messageMs = 5000 }: ListenAppProps) {
  const { columns, rows: terminalRows } = useTerminalSize();
  const [rows, setRows] = useState<LiveRow[]>([]);
  const [stats, setStats] = useState<ListenerStats>(() => listener.stats());
  const [info, setInfo] = useState<ListenerInfo>(() => listener.info());
  const [writeProblem, setWriteProblem] = useState<string | null>(null);
  const [ui, update, latest] = useKeyState({
    /** The selected row's seq, or null to follow the newest. */
    selectedSeq: null as number | null,
    mode: 'list' as Mode,
    filterText: '',
    draft: openLine(''),
    scroll: 0,
    /** A result line under the list; `pending` while a replay runs (it then stays). */
    message: '',
    messagePending: false,
  });
  useFadingMessage(ui.message, ui.messagePending, messageMs, (shown) => update((s) => (s.message === shown ? { message: '' } : {})));

  // Requests arrive far faster than a terminal redraws: gather them and draw every `refreshMs`.
  const arrived = useRef<DeliveryRecord[]>([]);
  const seq = useRef(0);
  useEffect(() => {
    const offRecord = listener.onRecord((record) => void arrived.current.push(record));
    const offInfo = listener.onInfo(setInfo);
    const offProblem = listener.onWriteProblem(setWriteProblem);
    const timer = setInterval(() => {
      const batch = arrived.current;
      arrived.current = [];
      if (batch.length > 0) {
        // Only the newest rows that can show are numbered and kept: a burst of thousands costs little.
        const fresh = batch.slice(-maxRows).map((record) => ({ seq: (seq.current += 1), record }));
        setRows((previous) => keepWindow(previous, fresh, maxRows, maxBytes));
      }
      // An idle listener costs no redraws: the counts are set only when they changed.
      const next = listener.stats();
      setStats((previous) => (sameStats(previous, next) ? previous : next));
    }, refreshMs);
    return () => {
      offRecord();
      offInfo();
      offProblem();
      clearInterval(timer);
    };
  }, [listener, maxRows, maxBytes, refreshMs]);

  const query = useMemo(() => parseFilterQuery(ui.filterText), [ui.filterText]);
  const visible = useMemo(() => (isEmptyQuery(query) ? rows : rows.filter((r) => matchesQuery(r.record, query))), [rows, query]);
  const visibleNow = useRef(visible);
  visibleNow.current = visible;
  const indexOf = (seq: number | null) => {
    const list = visibleNow.current;
    const found = seq === null ? -1 : list.findIndex((r) => r.seq === seq);
    return found >= 0 ? found : list.length - 1;
  };
  const selected = indexOf(ui.selectedSeq);
  const current = visible[selected];

  // Header, a blank line, the list's column header, the message and help lines; one spare row
  // keeps the frame shorter than the terminal so Ink can redraw it in place.
  const bodyHeight = Math.max(3, terminalRows - headerHeight(info, writeProblem) - 5);
  const lines = useMemo(
    () => (ui.mode === 'detail' && current ? detailLines(current.record, { secrets: listener.secrets, answerLabel: listener.forwardTo ? "App's answer" : 'Answer' }) : []),
    [ui.mode, current, listener],
  );

  const move = (by: number) =>
    update((s) => {
      const list = visibleNow.current;
      if (list.length === 0) return {};
      const index = Math.max(0, Math.min(indexOf(s.selectedSeq) + by, list.length - 1));
      return { selectedSeq: index === list.length - 1 ? null : list[index]!.seq };
    });
  // Read at key time: a key can arrive before ink hands the handler of the newest render over.
  const linesNow = useRef(lines);
  linesNow.current = lines;
  const scrollBy = (by: number) => update((s) => ({ scroll: clampScroll(s.scroll + by, linesNow.current.length, bodyHeight) }));
  const startReplay = () => {
    const row = visibleNow.current[indexOf(latest.current.selectedSeq)];
    if (!row) return;
    update({ message: `replaying ${row.record.deliveryId ?? 'request'}…`, messagePending: true });
    replay(row.record).then(
      (message) => update({ message, messagePending: false }),
      (err: unknown) => update({ message: `replay failed: ${(err as Error).message}`, messagePending: false }),
    );
  };

  const onKey = (input: string, key: Key) =>
    routeBrowserKey(input, key, latest.current, {
      page: bodyHeight,
      quit: onQuit,
      replay: startReplay,
      clearMessage: () => update({ message: '' }),
      setDraft: (draft) => update({ draft }),
      finishFilter: (text) => update(text === undefined ? { filterText: '', mode: 'list' } : { filterText: text, selectedSeq: null, mode: 'list' }),
      backToList: () => update({ mode: 'list' }),
      scrollBy,
      onListKey: (input, key) => {
        const s = latest.current;
        const by = moveAmount(input, key, bodyHeight);
        if (by) move(by);
        else if (input === 'g' || key.home) move(-Infinity);
        else if (input === 'G' || key.end) update({ selectedSeq: null });
        else if (key.return) {
          const row = visibleNow.current[indexOf(s.selectedSeq)];
          // Pin the row, so new arrivals do not move the detail away from it.
          if (row) update({ selectedSeq: row.seq, scroll: 0, mode: 'detail' });
        } else if (input === 'f') update({ draft: openLine(s.filterText), mode: 'filter' });
        else if (key.escape && s.filterText) update({ filterText: '' });
      },
    });
  useInput((input, key) => eachKeypress(input, key, onKey));

  const { mode, filterText, draft, message } = ui;
  return (
    <Box flexDirection="column" width={columns}>
      <ListenHeader
        url={listener.url}
        secrets={listener.secrets}
        verify={verify}
        forwardTo={listener.forwardTo && redactUrl(listener.forwardTo.href)}
        stats={stats}
        info={info}
        writeProblem={writeProblem}
        filter={filterText ? { text: filterText, shown: visible.length, of: rows.length } : undefined}
      />
      <Text> </Text>
      {mode === 'detail' && current ? (
        <DeliveryDetail lines={lines} scroll={ui.scroll} height={bodyHeight} />
      ) : (
        <DeliveryList
          rows={visible.map((r) => r.record)}
          selected={selected}
          height={bodyHeight}
          width={columns}
          emptyText={rows.length ? 'no request matches the filter (Esc clears it)' : `waiting for webhooks — try: webhooks-cli trigger --all --to ${listener.url} --secret …`}
        />
      )}
      {mode === 'filter' ? <FilterLine draft={draft} row={headerHeight(info, writeProblem) + 1 + bodyHeight + 1} columns={columns} /> : <Text wrap="truncate">{message || ' '}</Text>}
      <KeyHelp keys={mode === 'filter' ? FILTER_KEYS : mode === 'detail' ? DETAIL_KEYS : filterText ? FILTERED_LIST_KEYS : LIST_KEYS} />
    </Box>
  );
}

function sameStats(a: ListenerStats, b: ListenerStats): boolean {
  return a.received === b.received && a.valid === b.valid && a.invalid === b.invalid && a.duplicates === b.duplicates && a.failed === b.failed && a.ratePerSecond === b.ratePerSecond;
}
