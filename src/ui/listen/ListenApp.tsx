import { Box, Text } from 'ink';
import { useMemo, useRef } from 'react';
import type { ReplayAction } from '../../delivery/replay-action.js';
import { printable } from '../../format/terminal-text.js';
import type { Listener } from '../../receiver/index.js';
import type { DeliveryRecord } from '../../store/delivery-record.js';
import { isEmptyQuery, matchesQuery, parseFilterQuery } from '../../store/filter-query.js';
import { routeTable } from '../request-line.js';
import { DETAIL_KEYS, FILTERED_LIST_KEYS, filterKeys, LIST_KEYS, moveAmount } from '../tui/browser-keys.js';
import { DeliveryDetail } from '../tui/DeliveryDetail.js';
import { DeliveryList } from '../tui/DeliveryList.js';
import { detailLines } from '../tui/detail-lines.js';
import { FilterLine } from '../tui/FilterLine.js';
import { KeyHelp } from '../tui/KeyHelp.js';
import { openLine } from '../tui/line-editor.js';
import { useBrowserController } from '../tui/use-browser-controller.js';
import { useTerminalSize } from '../tui/use-terminal-size.js';
import { headerHeight, ListenHeader } from './ListenHeader.js';
import { useListenerFeed } from './use-listener-feed.js';

/** What the live view needs from a running listener. */
export type ListenSource = Pick<
  Listener,
  'url' | 'secrets' | 'routes' | 'stats' | 'onRecord' | 'info' | 'onInfo' | 'onWriteProblem'
> &
  Partial<Pick<Listener, 'onDiagnosis'>>;

export interface ListenAppProps {
  listener: ListenSource;
  verify: boolean;
  /** Re-sends a delivery; resolves with a one-line result to show. */
  replay: ReplayAction;
  onQuit: () => void;
  /** Called once the view is subscribed to the listener: every request from then on is listed. */
  onReady?: () => void;
  /** Received requests kept on screen (older ones are in the history). */
  maxRows?: number;
  /** Bytes of bodies the kept requests may hold; fewer rows are kept when they are large. */
  maxBytes?: number;
  /** How often new requests and counts are drawn; a burst of thousands is one redraw. */
  refreshMs?: number;
  /** How long a result line (a replay's outcome) stays; any key clears it sooner. */
  messageMs?: number;
}

const FILTER_KEYS = filterKeys('status:401 4xx event:… invalid dup schema:invalid text');

/** The live view of `listen`: header, the requests as they arrive, a detail view, replay and filter. */
export function ListenApp({
  listener,
  verify,
  replay,
  onQuit,
  onReady,
  maxRows = 1000,
  maxBytes = 32 * 1024 * 1024,
  refreshMs = 100,
  messageMs = 5000,
}: ListenAppProps) {
  const { columns, rows: terminalRows } = useTerminalSize();
  const { rows, stats, info, writeProblem } = useListenerFeed(listener, { maxRows, maxBytes, refreshMs, onReady });
  const { ui, update, latest, controls } = useBrowserController(
    {
      /** The selected row's seq, or null to follow the newest. */
      selectedSeq: null as number | null,
      filterText: '',
    },
    { replay, onQuit, messageMs },
  );

  const query = useMemo(() => parseFilterQuery(ui.filterText), [ui.filterText]);
  const visible = useMemo(
    () => (isEmptyQuery(query) ? rows : rows.filter((r) => matchesQuery(r.record, query))),
    [rows, query],
  );
  // The copies of what this view replayed, by their new delivery id: listed with ↻ and the original.
  const replayed = useRef(new Map<string, string>());
  const listed = (record: DeliveryRecord) => {
    const original = record.direction === 'in' && record.deliveryId && replayed.current.get(record.deliveryId);
    return original ? { ...record, replayOf: original } : record;
  };
  // Read at key time: a key can arrive before ink hands the handler of the newest render over.
  const visibleNow = useRef(visible);
  visibleNow.current = visible;
  const indexOf = (seq: number | null) => {
    const list = visibleNow.current;
    const found = seq === null ? -1 : list.findIndex((r) => r.seq === seq);
    return found >= 0 ? found : list.length - 1;
  };
  const selected = indexOf(ui.selectedSeq);
  // The row a detail view was opened on, kept even when the live list drops it (it keeps the
  // newest rows only): the detail stays on what the user is reading.
  const opened = useRef<(typeof rows)[number] | undefined>(undefined);
  const openedRow = (seq: number | null) =>
    visibleNow.current.find((r) => r.seq === seq) ?? (opened.current?.seq === seq ? opened.current : undefined);
  const current = ui.mode === 'detail' ? openedRow(ui.selectedSeq) : visible[selected];

  // Header, a blank line, the list's column header, the message and help lines; one spare row
  // keeps the frame shorter than the terminal so Ink can redraw it in place.
  const forwardTo = listener.routes.length ? routeTable(listener.routes) : undefined;
  const header = { url: listener.url, secrets: listener.secrets, verify, forwardTo, info, writeProblem, columns };
  const bodyHeight = Math.max(3, terminalRows - headerHeight(header) - 5);
  const lines = useMemo(
    () =>
      ui.mode === 'detail' && current
        ? detailLines(current.record, {
            secrets: listener.secrets,
            answerLabel: current.record.forwarded ? "App's answer" : 'Answer',
          })
        : [],
    [ui.mode, current, listener],
  );

  const move = (by: number) =>
    update((s) => {
      const list = visibleNow.current;
      if (list.length === 0) return {};
      const index = Math.max(0, Math.min(indexOf(s.selectedSeq) + by, list.length - 1));
      return { selectedSeq: index === list.length - 1 ? null : list[index]!.seq };
    });
  controls({
    page: bodyHeight,
    detailLength: lines.length,
    replayTarget: () =>
      (latest.current.mode === 'detail'
        ? openedRow(latest.current.selectedSeq)
        : visibleNow.current[indexOf(latest.current.selectedSeq)]
      )?.record,
    replaySent: (sent) => {
      if (sent.deliveryId && sent.replayOf) replayed.current.set(sent.deliveryId, sent.replayOf);
    },
    finishFilter: (text) =>
      update(
        text === undefined ? { filterText: '', mode: 'list' } : { filterText: text, selectedSeq: null, mode: 'list' },
      ),
    onListKey: (input, key) => {
      const s = latest.current;
      const by = moveAmount(input, key, bodyHeight);
      if (by) move(by);
      else if (input === 'g' || key.home) move(-Infinity);
      else if (input === 'G' || key.end) update({ selectedSeq: null });
      else if (key.return) {
        const row = visibleNow.current[indexOf(s.selectedSeq)];
        // Pin the row, so new arrivals do not move the detail away from it.
        opened.current = row;
        if (row) update({ selectedSeq: row.seq, scroll: 0, mode: 'detail' });
      } else if (input === 'f' || input === '/') update({ draft: openLine(s.filterText), mode: 'filter' });
      else if (key.escape && s.filterText) update({ filterText: '' });
    },
  });

  const { mode, filterText, draft, message } = ui;
  return (
    <Box flexDirection="column" width={columns}>
      <ListenHeader
        url={listener.url}
        secrets={listener.secrets}
        verify={verify}
        forwardTo={forwardTo}
        stats={stats}
        info={info}
        writeProblem={writeProblem}
        filter={filterText ? { text: filterText, shown: visible.length, of: rows.length } : undefined}
        columns={columns}
      />
      <Text> </Text>
      {mode === 'detail' && current ? (
        <DeliveryDetail lines={lines} scroll={ui.scroll} height={bodyHeight} />
      ) : (
        <DeliveryList
          rows={visible.map((r) => listed(r.record))}
          selected={selected}
          height={bodyHeight}
          width={columns}
          emptyText={
            rows.length
              ? 'no request matches the filter (Esc clears it)'
              : // The public URL is what the relay said.
                `waiting for webhooks — try: webhooks-cli trigger --all --to ${printable(info.relay?.publicUrl ?? listener.url)} --secret …`
          }
        />
      )}
      {mode === 'filter' ? (
        <FilterLine draft={draft} row={headerHeight(header) + 1 + bodyHeight + 1} columns={columns} />
      ) : (
        <Text wrap="truncate">{message || ' '}</Text>
      )}
      <KeyHelp
        keys={
          mode === 'filter'
            ? FILTER_KEYS
            : mode === 'detail'
              ? DETAIL_KEYS
              : filterText
                ? FILTERED_LIST_KEYS
                : LIST_KEYS
        }
      />
    </Box>
  );
}
