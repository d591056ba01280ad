import type { CommandContext } from '../cli/context.js';
import { readInput } from '../cli/input.js';
import { EVENT_TYPES, isEventType, suggestEventTypes } from '../core/events.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../core/json-depth.js';
import { type Override, OverrideError, parseOverride } from '../core/payload.js';
import { UsageError } from '../errors.js';

/** Throws a usage error with a "did you mean" for an unknown event type. */
export function requireEventType(type: string): void {
  if (isEventType(type)) return;
  const near = suggestEventTypes(type);
  throw new UsageError(
    `unknown event type "${type}"`,
    near.length
      ? `did you mean ${near.join(' or ')}? (webhooks-cli events list shows all ${EVENT_TYPES.length})`
      : `webhooks-cli events list shows all ${EVENT_TYPES.length}`,
  );
}

/** `--set path=value` flags, each checked (a bad one is a usage error naming it). */
export function parseOverrideFlags(texts: readonly string[] = []): Override[] {
  return texts.map((text) => {
    try {
      return parseOverride(text);
    } catch (err) {
      throw err instanceof OverrideError ? new UsageError(err.message, err.hint) : err;
    }
  });
}

/** `--data FILE|-`: its bytes as read (trigger may send them exactly) and parsed as JSON; undefined without the flag. */
export async function readDataFlag(
  ctx: Pick<CommandContext, 'stdin'>,
  source: string | undefined,
): Promise<{ raw: Buffer; data: unknown } | undefined> {
  if (source === undefined) return undefined;
  const raw = await readInput(ctx.stdin, source, '--data');
  let data: unknown;
  try {
    data = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new UsageError(
      `--data ${source} is not valid JSON (${(err as Error).message})`,
      'fix the JSON, or use --set path=value on the sample',
    );
  }
  if (nestsDeeperThan(data))
    throw new UsageError(
      `--data ${source} nests more than ${MAX_JSON_DEPTH} levels deep`,
      'no event payload needs that: flatten the data',
    );
  return { raw, data };
}
