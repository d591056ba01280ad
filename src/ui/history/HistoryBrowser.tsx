import { Box, Text } from 'ink';
import { useEffect, useMemo } from 'react';
import type { ReplayAction } from '../../delivery/replay-action.js';
import type { DeliveryRecord, DeliverySummary } from '../../store/delivery-record.js';
import { parseFilterQuery, toHistoryFilter } from '../../store/filter-query.js';
import type { HistoryFilter } from '../../store/history-store.js';
import { DETAIL_KEYS, filterKeys, LIST_KEYS, moveAmount } from '../tui/browser-keys.js';
import { DeliveryDetail } from '../tui/DeliveryDetail.js';
import { DeliveryList } from '../tui/DeliveryList.js';
import { detailLines } from '../tui/detail-lines.js';
import { FilterLine } from '../tui/FilterLine.js';
import { KeyHelp } from '../tui/KeyHelp.js';
import { openLine } from '../tui/line-editor.js';
import { useBrowserController } from '../tui/use-browser-controller.js';
import { useTerminalSize } from '../tui/use-terminal-size.js';
import { allLoaded, HISTORY_PAGE_SIZE, listHeight, loadedText, nextPageSize } from './history-first-frame.js';

/** What the browser reads: one page of summaries at a time, and one record in full. */
export interface HistorySource {
  readonly path: string;
  list(filter: HistoryFilter): DeliverySummary[];
  get(id: number): DeliveryRecord | undefined;
  /** How many rows match, counting no further than `cap`; without it the filter line shows no count. */
  countUpTo?(filter: HistoryFilter, cap: number): number;
}

/** Counts for the filter line stop here (`10000+`): counting a large history in full takes a while. */
const COUNT_CAP = 10_000;

export interface HistoryBrowserProps {
  source: HistorySource;
  /** The filter the browser opens with, as query text (`event:… invalid`). */
  initialQuery?: string;
  /** Re-sends a delivery and records it; resolves with a one-line result. */
  replay?: ReplayAction;
  onQuit: () => void;
  pageSize?: number;
  /** The first page, already read (and drawn) before the browser loaded. */
  initialRows?: DeliverySummary[];
  /** `--limit`: list no more than this many rows (the newest). */
  limit?: number;
  /** How long a result line (a replay's outcome) stays; any key clears it sooner. */
  messageMs?: number;
}

const FILTER_KEYS = filterKeys('status:401 4xx event:… invalid valid dup schema:invalid in out text');

/**
 * The history on a terminal, newest first. Rows are read a page at a time as the selection nears
 * the end of what is loaded, so it opens at once however large the database is.
 */
export function HistoryBrowser({
  source,
  initialQuery = '',
  replay,
  onQuit,
  pageSize = HISTORY_PAGE_SIZE,
  initialRows,
  limit,
  messageMs = 5000,
}: HistoryBrowserProps) {
  const { columns, rows: terminalRows } = useTerminalSize();
  const { ui, update, latest, controls } = useBrowserController(
    {
      queryText: initialQuery,
      rows: initialRows ?? ([] as DeliverySummary[]),
      exhausted: initialRows !== undefined && allLoaded(initialRows.length, initialRows.length, pageSize, limit),
      selected: 0,
      record: undefined as DeliveryRecord | undefined,
    },
    { replay, onQuit, messageMs },
  );
  const filter = useMemo(() => toHistoryFilter(parseFilterQuery(ui.queryText)), [ui.queryText]);
  const bodyHeight = listHeight(terminalRows);

  // The filter line says how many deliveries match, of how many, as listen's header does.
  const counts = useMemo(() => {
    if (!ui.queryText || !source.countUpTo) return undefined;
    return { shown: source.countUpTo(filter, COUNT_CAP + 1), of: source.countUpTo({}, COUNT_CAP + 1) };
  }, [source, filter, ui.queryText]);

  const reload = () => {
    const size = nextPageSize(0, pageSize, limit);
    const first = source.list({ ...filter, limit: size });
    update({ rows: first, exhausted: allLoaded(first.length, first.length, size, limit), selected: 0 });
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads only when what is listed changes; `update` is this render's setter
  useEffect(reload, [source, filter, pageSize, limit]);

  // Read the next page before the selection reaches the end of what is loaded.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the selection or the rows change and reads them from `latest`, which is current by then
  useEffect(() => {
    const { rows, exhausted, selected } = latest.current;
    if (exhausted || rows.length === 0 || selected < rows.length - bodyHeight) return;
    const size = nextPageSize(rows.length, pageSize, limit);
    const next = source.list({ ...filter, beforeId: rows[rows.length - 1]!.id, limit: size });
    update((s) => ({
      rows: s.rows.concat(next),
      exhausted: allLoaded(s.rows.length + next.length, next.length, size, limit),
    }));
  }, [ui.selected, ui.rows, ui.exhausted, source, filter, pageSize, bodyHeight, limit]);

  const lines = useMemo(() => (ui.mode === 'detail' && ui.record ? detailLines(ui.record) : []), [ui.mode, ui.record]);
  const move = (by: number) => update((s) => ({ selected: Math.max(0, Math.min(s.selected + by, s.rows.length - 1)) }));
  controls({
    page: bodyHeight,
    detailLength: lines.length,
    replayTarget: () => {
      const s = latest.current;
      const current = s.rows[s.selected];
      return s.mode === 'detail' ? s.record : current && source.get(current.id);
    },
    // The replay is a new row at the top of the list.
    afterReplay: () => {
      if (latest.current.mode === 'list') reload();
    },
    finishFilter: (text) => update({ queryText: text ?? '', mode: 'list' }),
    onListKey: (input, key) => {
      const s = latest.current;
      const current = s.rows[s.selected];
      const by = moveAmount(input, key, bodyHeight);
      if (by) move(by);
      else if (input === 'g' || key.home) update({ selected: 0 });
      else if (key.return && current) update({ record: source.get(current.id), scroll: 0, mode: 'detail' });
      else if (input === 'f' || input === '/') update({ draft: openLine(s.queryText), mode: 'filter' });
      else if (key.escape && s.queryText) update({ queryText: '' });
    },
  });

  const { rows, mode, record } = ui;
  const loaded = loadedText(rows.length, ui.exhausted, limit);
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate">
        {/* The path last: on a narrow terminal it is what gets cut, not the counts. */}
        <Text bold>webhooks-cli history</Text> {loaded}
        {ui.queryText ? (
          <Text color="cyan">{`  filter: ${ui.queryText}${counts ? ` (${countText(counts.shown)} of ${countText(counts.of)})` : ''}`}</Text>
        ) : null}
        {'  '}
        <Text dimColor>{source.path}</Text>
      </Text>
      <Text> </Text>
      {mode === 'detail' && record ? (
        <DeliveryDetail lines={lines} scroll={ui.scroll} height={bodyHeight} />
      ) : (
        <DeliveryList
          rows={rows}
          selected={rows.length ? ui.selected : -1}
          height={bodyHeight}
          width={columns}
          history
          moreToRead={!ui.exhausted}
          emptyText={ui.queryText ? 'no delivery matches the filter (Esc clears it)' : 'no deliveries yet'}
        />
      )}
      {mode === 'filter' ? (
        <FilterLine draft={ui.draft} row={2 + bodyHeight + 1} columns={columns} />
      ) : (
        <Text wrap="truncate">{ui.message || ' '}</Text>
      )}
      <KeyHelp keys={mode === 'filter' ? FILTER_KEYS : mode === 'detail' ? DETAIL_KEYS : LIST_KEYS} />
    </Box>
  );
}

function countText(n: number): string {
  return n > COUNT_CAP ? `${COUNT_CAP}+` : String(n);
}
