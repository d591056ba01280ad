import { Text } from 'ink';

/** The help line at the bottom: each key, then what it does. */
export function KeyHelp({ keys }: { keys: ReadonlyArray<readonly [string, string]> }) {
  return (
    <Text wrap="truncate">
      {keys.map(([key, what], i) => (
        <Text key={key}>
          {i > 0 ? <Text dimColor> · </Text> : null}
          <Text bold>{key}</Text> <Text dimColor>{what}</Text>
        </Text>
      ))}
    </Text>
  );
}
