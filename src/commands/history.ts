import type { CommandContext } from '../cli/context.js';
import type {
  HistoryExportOptions,
  HistoryPruneOptions,
  HistoryShowOptions,
  HistoryOptions as ListOptions,
} from '../cli/define-foundation.js';
import { printJson, printLine } from '../cli/output.js';
import { resolveSetting } from '../config/settings.js';
import { replayTarget } from '../delivery/replay-service.js';
import { UsageError, UserError } from '../errors.js';
import { printableJson } from '../format/terminal-text.js';
import { parseFilterQuery, queryText, toHistoryFilter, withSearchQuery } from '../store/filter-query.js';
import { exportRecords } from '../store/history-export.js';
import { type HistoryFilter, HistoryStore } from '../store/history-store.js';
import { requireEventType } from './event-arguments.js';
import { curlCommand, formatAge, formatRecord, historyTable, recordJson, summaryJson } from './history-output.js';

const DEFAULT_LIMIT = 50;

/** `--event` must name a known type: a typo would otherwise just list nothing. */
function requireKnownEvent(event: string | undefined): void {
  if (event !== undefined) requireEventType(event);
}

export async function listHistory(ctx: CommandContext, options: ListOptions): Promise<void> {
  requireKnownEvent(options.event);
  const filter: HistoryFilter = withSearchQuery({ ...options, limit: options.limit ?? DEFAULT_LIMIT });
  const store = HistoryStore.openExisting(ctx.dbPath);
  try {
    if (ctx.interactive) {
      // A person at a terminal gets the browser: it pages, and lists no more than --limit when
      // given. Its first screen is drawn as plain text before ink loads, so it opens at once.
      const frame = await import('../ui/history/history-first-frame.js');
      const query = queryText(options);
      const { limit } = options;
      const firstPage = store.list({
        ...toHistoryFilter(parseFilterQuery(query)),
        limit: frame.nextPageSize(0, frame.HISTORY_PAGE_SIZE, limit),
      });
      const size = { columns: ctx.stdout.columns || 100, terminalRows: ctx.stdout.rows || 30 };
      frame.drawFirstFrame(
        ctx.stdout,
        ctx.stdin,
        frame.historyFirstFrame({
          path: store.path,
          rows: firstPage,
          pageSize: frame.HISTORY_PAGE_SIZE,
          queryText: query,
          limit,
          color: ctx.color,
          ...size,
        }),
      );
      const [{ runHistoryBrowser }, { replayAction }, { TerminalHandOver }] = await Promise.all([
        import('../ui/history/run-history-browser.js'),
        import('../delivery/replay-action.js'),
        import('../ui/tui/terminal-hand-over.js'),
      ]);
      const terminal = new TerminalHandOver(ctx);
      const replay = replayAction({
        secret: resolveSetting('secret', undefined, ctx),
        noSecretHint: 'set WEBHOOKS_SECRET or run `webhooks-cli config set secret …`',
        record: (sent) => store.insert(sent),
        editor: { env: ctx.env, lend: (work) => terminal.lend(work) },
        env: ctx.env,
      });
      return await runHistoryBrowser(store, {
        initialQuery: query,
        initialRows: firstPage,
        limit,
        replay,
        terminal,
      });
    }
    const rows = store.list(filter);
    if (ctx.json) return printJson(ctx, rows.map(summaryJson));
    if (rows.length === 0)
      return printLine(
        ctx,
        `no deliveries${Object.values(options).some((v) => v !== undefined && (v as unknown) !== false) ? ' match' : ''} in ${ctx.dbPath}`,
      );
    printLine(ctx, historyTable(rows, ctx.color));
  } finally {
    store.close();
  }
}

export function showHistory(ctx: CommandContext, ref: string, options: HistoryShowOptions = {}): void {
  const store = HistoryStore.openExisting(ctx.dbPath);
  try {
    const record = store.get(ref);
    if (!record)
      throw new UserError(`no delivery "${ref}" in ${ctx.dbPath}`, { hint: 'list them with webhooks-cli history' });
    if (options.curl) {
      const command = curlCommand(record, replayTarget(record));
      return ctx.json ? printJson(ctx, { curl: command }) : printLine(ctx, command);
    }
    if (ctx.json) return printJson(ctx, recordJson(record));
    printLine(ctx, formatRecord(record));
  } finally {
    store.close();
  }
}

/** `history prune --before AGE | --keep N`: deletes what is older, or all but the newest. */
export function pruneHistory(ctx: CommandContext, options: HistoryPruneOptions): void {
  if ((options.before === undefined) === (options.keep === undefined))
    throw new UsageError(
      'history prune needs one of --before and --keep',
      'e.g. history prune --before 7d (older than a week), or --keep 10000 (the newest)',
    );
  const store = HistoryStore.openExisting(ctx.dbPath);
  try {
    const removed =
      options.before === undefined
        ? store.pruneKeepingNewest(options.keep!)
        : store.pruneBefore(Date.now() - options.before);
    const kept = store.count();
    if (ctx.json) return printJson(ctx, { removed, kept });
    printLine(
      ctx,
      `removed ${removed} deliver${removed === 1 ? 'y' : 'ies'}${options.before === undefined ? '' : ` older than ${formatAge(options.before)}`}; ${kept} kept in ${ctx.dbPath}`,
    );
  } finally {
    store.close();
  }
}

export async function exportHistory(ctx: CommandContext, options: ListOptions & HistoryExportOptions): Promise<void> {
  requireKnownEvent(options.event);
  const store = HistoryStore.openExisting(ctx.dbPath);
  try {
    const filter = withSearchQuery(options);
    if (options.fixtures !== undefined) {
      const { writeFixtures } = await import('../delivery/fixtures.js');
      const written = writeFixtures(exportRecords(store, filter), options.fixtures);
      if (ctx.json) return printJson(ctx, { fixtures: written.length, dir: options.fixtures });
      return printLine(
        ctx,
        `wrote ${written.length} fixture${written.length === 1 ? '' : 's'} and manifest.json to ${options.fixtures}`,
      );
    }
    for (const record of exportRecords(store, filter)) ctx.stdout.write(`${printableJson(recordJson(record))}\n`);
  } finally {
    store.close();
  }
}
