/** `listen`'s flags, checked and resolved into what the listen session needs. */

import { apiConnection } from '../api/api-endpoint.js';
import { apiClientOptions } from '../cli/api-client.js';
import type { CommandContext } from '../cli/context.js';
import type { ListenOptions } from '../cli/define-listen.js';
import { requireSecrets } from '../cli/secret-flags.js';
import { resolveSetting } from '../config/settings.js';
import { UsageError } from '../errors.js';
import { DEFAULT_INSPECT_HOST, DEFAULT_INSPECT_PORT } from '../inspector/defaults.js';
import { loadRoutesFile, parseRouteFlag } from '../receiver/index.js';
import type { ListenSessionOptions } from '../receiver/listen-session.js';
import { normaliseRelayUrl } from '../tunnel/channel-paths.js';
import { parseEventList } from './webhook-changes.js';

export type { ListenOptions };

/** The flags checked and resolved into what the session needs; a usage error before anything starts. */
export function sessionOptions(ctx: CommandContext, options: ListenOptions): ListenSessionOptions {
  const secrets = options.secret?.length
    ? options.secret
    : [resolveSetting('secret', undefined, ctx)].filter((s): s is string => s !== undefined);
  requireSecrets(secrets);
  if (options.verify && secrets.length === 0) {
    throw new UsageError(
      'no secret to verify signatures with',
      'pass --secret S (repeatable), set WEBHOOKS_SECRET, or pass --no-verify to accept any request',
    );
  }
  if (!options.path.startsWith('/'))
    throw new UsageError(`--path "${options.path}" must start with /`, 'e.g. --path /webhook');
  const allowRemote = Boolean(options.allowRemoteForward);
  const routes = [
    ...(options.forwardTo ?? []).map((flag) => parseRouteFlag(flag, allowRemote)),
    ...(options.routes === undefined ? [] : loadRoutesFile(options.routes, allowRemote)),
  ];
  if (options.appDown === 'hold' && routes.length === 0)
    throw new UsageError(
      '--app-down hold keeps deliveries for an app, and there is none to forward to',
      'add --forward-to URL (or --routes FILE), or drop --app-down',
    );
  const relayUrl = options.relay === undefined ? undefined : parseRelayUrl(options.relay);
  if (options.backlog !== undefined && !relayUrl)
    throw new UsageError(
      '--backlog chooses among the deliveries a relay held, and there is no --relay',
      'add --relay ws://… (or drop --backlog)',
    );
  const relayChannel = options.relayChannel === undefined ? undefined : parseChannelName(options.relayChannel);
  const registerEvents = options.register
    ? parseEventList(options.registerEvents ?? ['all'], '--register-events')
    : undefined;
  // A bad --api-url or a missing token is a usage error too.
  if (registerEvents) apiConnection(ctx.apiUrl, ctx.token);
  return {
    dbPath: ctx.dbPath,
    host: options.host,
    port: options.port,
    path: options.path,
    secrets,
    verify: options.verify,
    maxBodyBytes: options.maxBody,
    respondStatus: options.respondStatus,
    respondDelayMs: options.respondDelay,
    routes,
    forwardTimeoutMs: options.forwardTimeout,
    env: ctx.env,
    requestTimeoutMs: options.requestTimeout,
    validate: options.validate,
    strict: options.strict,
    appDown: options.appDown,
    relayUrl,
    relayKey: resolveSetting('relay-key', options.relayKey, ctx),
    relayChannel,
    backlog: options.backlog,
    register: registerEvents && { api: apiClientOptions(ctx), events: registerEvents },
    inspect: options.inspect === false ? undefined : { ...parseInspectAddress(options.inspect), cwd: process.cwd() },
  };
}

/**
 * `--inspect PORT`, `--inspect ADDR:PORT` (`[::1]:4040`) or `--inspect ADDR`; without it the
 * default address, and the next free port when 4040 is taken.
 */
export function parseInspectAddress(value: string | true | undefined): {
  host: string;
  port: number;
  nextFreePort: boolean;
} {
  if (value === undefined || value === true)
    return { host: DEFAULT_INSPECT_HOST, port: DEFAULT_INSPECT_PORT, nextFreePort: true };
  const match =
    /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d+)$/.exec(value.trim()) ??
    /^(\[[0-9a-fA-F:.]+\]|[^:]+)$/.exec(value.trim());
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || (port !== undefined && port > 65_535))
    throw new UsageError(
      `--inspect "${value}" is not an address or a port`,
      'e.g. --inspect 4041, --inspect 127.0.0.1:4041, or --no-inspect',
    );
  const host = (match[1] ?? DEFAULT_INSPECT_HOST).replace(/^\[|\]$/g, '');
  return port === undefined
    ? { host, port: DEFAULT_INSPECT_PORT, nextFreePort: true }
    : { host, port, nextFreePort: false };
}

function parseRelayUrl(value: string): string {
  try {
    return normaliseRelayUrl(value);
  } catch {
    throw new UsageError(
      `--relay "${value}" is not a ws:// or wss:// URL`,
      'e.g. --relay ws://127.0.0.1:8080, as printed by `webhooks-cli relay`',
    );
  }
}

function parseChannelName(value: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) return value;
  throw new UsageError(
    `--relay-channel "${value}" is not a usable name`,
    'use letters, digits, . _ - (up to 64), e.g. --relay-channel orders-app',
  );
}
