import { Box, Text } from 'ink';
import { maskSecret } from '../../core/redact.js';
import { printable } from '../../format/terminal-text.js';
import type { ListenerInfo, ListenerStats, WriteProblem } from '../../receiver/index.js';
import { backlogLine } from '../request-line.js';
import { charCount, shortenMiddle } from '../tui/shorten.js';

export interface ListenHeaderProps {
  url: string;
  secrets: readonly string[];
  verify: boolean;
  forwardTo?: string;
  stats: ListenerStats;
  info: ListenerInfo;
  /** A problem writing the history (a locked database), shown until it clears; in red when requests are refused. */
  writeProblem?: WriteProblem | null;
  /** The filter in force, and how many of the listed requests it shows. */
  filter?: { text: string; shown: number; of: number };
  /** The terminal's width: the forwarding target and the relay's message are shortened to fit it. */
  columns?: number;
}

/**
 * Where the listener is, with what secrets, what it has received, and the optional lines: where it
 * forwards (when the first line has no room for it), the relay and registration, a write problem.
 */
export function headerHeight(
  props: Pick<ListenHeaderProps, 'url' | 'secrets' | 'verify' | 'forwardTo' | 'info' | 'writeProblem' | 'columns'>,
): number {
  const { info, writeProblem } = props;
  return (
    2 +
    (forwardingLayout(props)?.ownLine ? 1 : 0) +
    (info.relay || info.webhookId ? 1 : 0) +
    (info.inspectorUrl ? 1 : 0) +
    (writeProblem ? 1 : 0)
  );
}

const FORWARDING = '→ forwarding ';
/** A target shown beside the URL gets at least this much room; otherwise it gets a line of its own. */
const MIN_INLINE_TARGET = 30;

/**
 * Where `→ forwarding <target>` goes: beside the URL when the first line has room for it, else on a
 * line of its own; the target shortened in the middle to fit, so its host and its path both show.
 */
function forwardingLayout({
  url,
  secrets,
  verify,
  forwardTo,
  columns = Number.POSITIVE_INFINITY,
}: Pick<ListenHeaderProps, 'url' | 'secrets' | 'verify' | 'forwardTo' | 'columns'>):
  | { ownLine: boolean; target: string }
  | undefined {
  if (!forwardTo) return undefined;
  const room = columns - charCount(firstLineText(url, secrets, verify)) - 2 - FORWARDING.length;
  if (room >= Math.min(charCount(forwardTo), MIN_INLINE_TARGET))
    return { ownLine: false, target: shortenMiddle(forwardTo, room) };
  return { ownLine: true, target: shortenMiddle(forwardTo, columns - FORWARDING.length) };
}

function secretsText(secrets: readonly string[]): string {
  return secrets.length ? secrets.map(maskSecret).join(', ') : '(none)';
}

function firstLineText(url: string, secrets: readonly string[], verify: boolean): string {
  return `webhooks-cli listen ● ${url}  secrets ${secretsText(secrets)}${verify ? '' : ' (not verifying)'}`;
}

/** The header of the live view. */
export function ListenHeader({
  url,
  secrets,
  verify,
  forwardTo,
  stats,
  info,
  writeProblem,
  filter,
  columns = Number.POSITIVE_INFINITY,
}: ListenHeaderProps) {
  const relay = info.relay;
  const forwarding = forwardingLayout({ url, secrets, verify, forwardTo, columns });
  const webhookText = info.webhookId ? `webhook ${info.webhookId}` : '';
  const relayHead = relay ? `relay ${relay.state}${relay.publicUrl ? ` ${printable(relay.publicUrl)}` : ''}` : '';
  const relayMessage = relay?.message
    ? relayMessageText(
        printable(relay.message),
        columns - charCount(relayHead) - 3 - (webhookText ? 3 + charCount(webhookText) : 0),
      )
    : undefined;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>webhooks-cli listen</Text> <Text color="green">●</Text>{' '}
        <Text bold color="cyan">
          {url}
        </Text>
        {'  '}
        <Text dimColor>secrets </Text>
        {secretsText(secrets)}
        {verify ? '' : <Text color="yellow"> (not verifying)</Text>}
        {forwarding && !forwarding.ownLine ? (
          <Text>
            {'  '}
            <Text dimColor>{FORWARDING}</Text>
            {forwarding.target}
          </Text>
        ) : null}
      </Text>
      {forwarding?.ownLine ? (
        <Text wrap="truncate">
          <Text dimColor>{FORWARDING}</Text>
          {forwarding.target}
        </Text>
      ) : null}
      <Text wrap="truncate">
        received <Text bold>{stats.received}</Text>
        {'  '}
        <Text color="green">✓ {stats.valid}</Text>
        {'  '}
        <Text color={stats.invalid ? 'red' : undefined}>✗ {stats.invalid}</Text>
        {'  '}
        <Text color={stats.duplicates ? 'yellow' : undefined}>duplicates {stats.duplicates}</Text>
        {'  '}
        <Text color={stats.failed ? 'red' : undefined}>non-2xx {stats.failed}</Text>
        {'  '}
        <Text dimColor>{formatRate(stats.ratePerSecond)}</Text>
        {info.appDown?.held ? <Text color="yellow">{`  app down — ${info.appDown.held} held`}</Text> : null}
        {info.appDown?.refused ? <Text color="red">{`  app refused ${info.appDown.refused} held`}</Text> : null}
        {filter ? (
          <Text color="cyan">{`  filter: ${filter.text} (${filter.shown} of ${filter.of < stats.received ? `the last ${filter.of}` : filter.of})`}</Text>
        ) : null}
      </Text>
      {relay || info.webhookId ? (
        <Text wrap="truncate">
          {relay ? (
            <Text>
              {'relay '}
              <Text color={relay.state === 'connected' ? 'green' : relay.state === 'disconnected' ? 'red' : 'yellow'}>
                {relay.state}
              </Text>
              {/* Both come from the relay. */}
              {relay.publicUrl ? <Text bold> {printable(relay.publicUrl)}</Text> : null}
              {relayMessage ? <Text dimColor> ({relayMessage})</Text> : null}
              {info.backlog && backlogLine(info.backlog) ? (
                <Text color="cyan"> · {backlogLine(info.backlog)}</Text>
              ) : null}
              {info.webhookId ? '   ' : ''}
            </Text>
          ) : null}
          {info.webhookId ? (
            <Text>
              {'webhook '}
              <Text bold>{info.webhookId}</Text>
            </Text>
          ) : null}
        </Text>
      ) : null}
      {info.inspectorUrl ? (
        <Text wrap="truncate">
          <Text dimColor>inspector </Text>
          <Text color="cyan">{info.inspectorUrl}</Text>
        </Text>
      ) : null}
      {writeProblem ? (
        <Text color={writeProblem.refusing ? 'red' : 'yellow'} bold={writeProblem.refusing} wrap="truncate">
          {writeProblem.refusing ? '✗ NOT RECORDING: ' : '⚠ '}
          {writeProblem.message}
        </Text>
      ) : null}
    </Box>
  );
}

/**
 * The relay's message in `room` characters. When reconnecting, when the next try is matters most:
 * the reason is shortened in the middle, then the count of failed tries dropped, then the reason;
 * the retry time stays whole.
 */
function relayMessageText(message: string, room: number): string {
  if (charCount(message) <= room) return message;
  const parts = /^(.*?), (retrying [^(]*?)( \(\d+ tries failed\))?$/.exec(message);
  if (parts) {
    const [, reason = '', retry = '', failed = ''] = parts;
    for (const tail of [`, ${retry}${failed}`, `, ${retry}`]) {
      const reasonRoom = room - charCount(tail);
      if (reasonRoom >= MIN_REASON) return `${shortenMiddle(reason, reasonRoom)}${tail}`;
    }
    if (charCount(retry) <= room) return retry;
  }
  return shortenMiddle(message, Math.max(MIN_REASON, room));
}
const MIN_REASON = 12;

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}
