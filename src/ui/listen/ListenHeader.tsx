import { Box, Text } from 'ink';
import { maskSecret } from '../../core/redact.js';
import { printable } from '../../format/terminal-text.js';
import type { ListenerInfo, ListenerStats, WriteProblem } from '../../receiver/index.js';

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
}

/** Where the listener is, with what secrets, what it has received, and the optional relay/registration line. */
export function headerHeight(info: ListenerInfo, writeProblem: WriteProblem | null | undefined): number {
  return 2 + (info.relay || info.webhookId ? 1 : 0) + (info.inspectorUrl ? 1 : 0) + (writeProblem ? 1 : 0);
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
}: ListenHeaderProps) {
  const relay = info.relay;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>webhooks-cli listen</Text> <Text color="green">●</Text>{' '}
        <Text bold color="cyan">
          {url}
        </Text>
        {'  '}
        <Text dimColor>secrets </Text>
        {secrets.length ? secrets.map(maskSecret).join(', ') : '(none)'}
        {verify ? '' : <Text color="yellow"> (not verifying)</Text>}
        {forwardTo ? (
          <Text>
            {'  '}
            <Text dimColor>→ forwarding </Text>
            {forwardTo}
          </Text>
        ) : null}
      </Text>
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
              {relay.message ? <Text dimColor> ({printable(relay.message)})</Text> : null}
              {'   '}
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

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}
