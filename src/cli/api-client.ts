/**
 * The platform API client as every command builds it from the context: where (`--api-url`,
 * the profile), who (`--token`), the run's environment (its proxy settings) and its stderr for
 * notices (Retry-After waits, the --verbose proxy line). `listen --register` uses the same.
 */
import { type ClientOptions, DEFAULT_API_TIMEOUT_MS, PlatformClient } from '../api/platform-client.js';
import type { CommandContext } from './context.js';
import { logLine } from './output.js';

export interface ApiFlags {
  timeout: number;
}

export function apiClientOptions(ctx: CommandContext, timeoutMs = DEFAULT_API_TIMEOUT_MS): ClientOptions {
  return {
    baseUrl: ctx.apiUrl,
    token: ctx.token,
    timeoutMs,
    notice: (line) => logLine(ctx, line),
    env: ctx.env,
    verbose: ctx.verbose,
  };
}

/** Runs `work` with a client, closed afterwards whatever happens. */
export async function withApi<T>(
  ctx: CommandContext,
  flags: ApiFlags,
  work: (api: PlatformClient) => Promise<T>,
): Promise<T> {
  const api = new PlatformClient(apiClientOptions(ctx, flags.timeout));
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}
