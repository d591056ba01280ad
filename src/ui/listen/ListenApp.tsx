import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Listener, ListenerInfo, ListenerStats } from '../../receiver/index.js';
import type { DeliveryRecord } from '../../store/delivery-record.js';
import { DeliveryDetail, clampScroll } from '../tui/DeliveryDetail.js';
import { DeliveryList } from '../tui/DeliveryList.js';
import { detailLines } from '../tui/detail-lines.js';
import { isEmptyQuery, matchesQuery, parseFilterQuery } from '../tui/filter-query.js';
import { KeyHelp } from '../tui/KeyHelp.js';
import { useTerminalSize } from '../tui/use-terminal-size.js';
import { ListenHeader } from './ListenHeader.js';

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
  /** How often new requests and counts are drawn; a burst of thousands is one redraw. */
  refreshMs?: number;
}

interface Row {
  seq: number;
  record: DeliveryRecord;
}

type Mode = 'list' | 'detail' | 'filter';

const LIST_KEYS = [['↑/↓ j/k', 'move'], ['Enter', 'details'], ['r', 'replay'], ['f', 'filter'], ['q', 'quit']] as const;
const DETAIL_KEYS = [['↑/↓ j/k', 'scroll'], ['Esc', 'back'], ['r', 'replay'], ['q', 'quit']] as const;
const FILTER_KEYS = [['Enter', 'apply'], ['Esc', 'clear'], ['words', 'status:401 event:… invalid dup text']] as const;

/** The live view of `listen`: header, the requests as they arrive, a detail view, replay and filter. */
export function ListenApp({ listener, verify, replay, onQuit, maxRows = 1000, refreshMs = 100 }: ListenAppProps) {
  const { columns, rows: terminalRows } = useTerminalSize();
  const [rows, setRows] = useState<Row[]>([]);
  const [stats, setStats] = useState<ListenerStats>(() => listener.stats());
  const [info, setInfo] = useState<ListenerInfo>(() => listener.info());
  const [writeProblem, setWriteProblem] = useState<string | null>(null);
  /** The selected row's seq, or null to follow the newest. */
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [mode, setMode] = useState<Mode>('list');
  const [filterText, setFilterText] = useState('');
  const [draft, setDraft] = useState('');
  const [scroll, setScroll] = useState(0);
  const [message, setMessage] = useState('');

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
        setRows((previous) => previous.concat(batch.map((record) => ({ seq: seq.current++, record }))).slice(-maxRows));
      }
      setStats(listener.stats());
    }, refreshMs);
    return () => {
      offRecord();
      offInfo();
      offProblem();
      clearInterval(timer);
    };
  }, [listener, maxRows, refreshMs]);

  const query = useMemo(() => parseFilterQuery(filterText), [filterText]);
  const visible = useMemo(() => (isEmptyQuery(query) ? rows : rows.filter((r) => matchesQuery(r.record, query))), [rows, query]);
  const found = selectedSeq === null ? -1 : visible.findIndex((r) => r.seq === selectedSeq);
  const selected = found >= 0 ? found : visible.length - 1;
  const current = visible[selected];

  const headerHeight = writeProblem ? 3 : 2;
  // Header, a blank line, the list's column header, the message and help lines; one spare row
  // keeps the frame shorter than the terminal so Ink can redraw it in place.
  const bodyHeight = Math.max(3, terminalRows - headerHeight - 5);
  const lines = useMemo(
    () => (mode === 'detail' && current ? detailLines(current.record, { secrets: listener.secrets, answerLabel: listener.forwardTo ? "App's answer" : 'Answer' }) : []),
    [mode, current, listener],
  );

  const select = (index: number) => {
    if (visible.length === 0) return;
    const clamped = Math.max(0, Math.min(index, visible.length - 1));
    setSelectedSeq(clamped === visible.length - 1 ? null : visible[clamped]!.seq);
  };
  const startReplay = () => {
    if (!current) return;
    setMessage(`replaying ${current.record.deliveryId ?? 'request'}…`);
    replay(current.record).then(setMessage, (err: unknown) => setMessage(`replay failed: ${(err as Error).message}`));
  };

  useInput((input, key) => {
    if (key.ctrl && input === 'c') return onQuit();
    if (mode === 'filter') {
      if (key.return) {
        setFilterText(draft);
        setSelectedSeq(null);
        setMode('list');
      } else if (key.escape) {
        setDraft('');
        setFilterText('');
        setMode('list');
      } else if (key.backspace || key.delete) setDraft((d) => d.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) setDraft((d) => d + input);
      return;
    }
    if (input === 'q') return onQuit();
    if (input === 'r') return startReplay();
    if (mode === 'detail') {
      if (key.escape || key.return || key.backspace || key.leftArrow) setMode('list');
      else if (key.upArrow || input === 'k') setScroll((s) => clampScroll(s - 1, lines.length, bodyHeight));
      else if (key.downArrow || input === 'j') setScroll((s) => clampScroll(s + 1, lines.length, bodyHeight));
      else if (key.pageUp) setScroll((s) => clampScroll(s - bodyHeight, lines.length, bodyHeight));
      else if (key.pageDown || input === ' ') setScroll((s) => clampScroll(s + bodyHeight, lines.length, bodyHeight));
      return;
    }
    if (key.upArrow || input === 'k') select(selected - 1);
    else if (key.downArrow || input === 'j') select(selected + 1);
    else if (key.pageUp) select(selected - bodyHeight);
    else if (key.pageDown) select(selected + bodyHeight);
    else if (input === 'g' || key.home) select(0);
    else if (input === 'G' || key.end) setSelectedSeq(null);
    else if (key.return && current) {
      // Pin the row, so new arrivals do not move the detail away from it.
      setSelectedSeq(current.seq);
      setScroll(0);
      setMode('detail');
    } else if (input === 'f') {
      setDraft(filterText);
      setMode('filter');
    } else if (key.escape && filterText) setFilterText('');
  });

  return (
    <Box flexDirection="column" width={columns}>
      <ListenHeader url={listener.url} secrets={listener.secrets} verify={verify} forwardTo={listener.forwardTo?.href} stats={stats} info={info} writeProblem={writeProblem} />
      <Text> </Text>
      {mode === 'detail' && current ? (
        <DeliveryDetail lines={lines} scroll={scroll} height={bodyHeight} />
      ) : (
        <DeliveryList
          rows={visible.map((r) => r.record)}
          selected={selected}
          height={bodyHeight}
          width={columns}
          emptyText={rows.length ? 'no request matches the filter (Esc clears it)' : `waiting for webhooks — try: webhooks-cli trigger --all --to ${listener.url} --secret …`}
        />
      )}
      <Text wrap="truncate" color={mode === 'filter' ? 'cyan' : undefined}>
        {mode === 'filter' ? `filter: ${draft}█` : message || (filterText ? `filter: ${filterText} (${visible.length} of ${rows.length}; f edits, Esc clears)` : ' ')}
      </Text>
      <KeyHelp keys={mode === 'filter' ? FILTER_KEYS : mode === 'detail' ? DETAIL_KEYS : LIST_KEYS} />
    </Box>
  );
}
