import type { CommandContext } from '../cli/context.js';
import type { McpOptions } from '../cli/define-mcp.js';
import { logLine } from '../cli/output.js';
import { givenSecret } from '../cli/secret-flags.js';
import { listenForStop } from '../cli/stop-signal.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { startMcpServer } from '../mcp/mcp-server.js';
import { VERSION } from '../version.js';
import { mcpTools } from './mcp-tools.js';

/** Serves the tools on stdio until the client closes stdin or a stop signal comes. */
export async function mcpCommand(ctx: CommandContext, options: McpOptions): Promise<number> {
  // Standard input carries the protocol, so a secret cannot come from it.
  if (options.secret === '-' || options.secretFile === '-')
    throw new UsageError(
      'the secret cannot come from standard input: mcp speaks the protocol there',
      'pass --secret-file FILE, set WEBHOOKS_SECRET, or run webhooks-cli config set secret',
    );
  const tools = mcpTools({
    ctx,
    secretFlag: await givenSecret(ctx, options),
    allowRemote: Boolean(options.allowRemote),
    timeoutMs: options.timeout,
  });
  const stop = listenForStop(ctx.signals);
  const server = await startMcpServer({
    name: 'webhooks-cli',
    version: VERSION,
    instructions:
      "Test the fashion-catalog platform's webhooks against a receiver on this machine: trigger_event sends signed deliveries, list_deliveries and get_delivery read the history, diagnose_receiver explains a rejected signature, smoke_test checks a receiver end to end.",
    tools,
    stdin: ctx.stdin,
    stdout: ctx.stdout,
  });
  // stdout is the protocol's: everything for a person goes to stderr.
  logLine(
    ctx,
    `webhooks-cli mcp: ${tools.length} tools on stdio; targets ${options.allowRemote ? 'anywhere (--allow-remote)' : 'on this machine only'}; history ${ctx.dbPath}`,
  );
  try {
    await Promise.race([server.closed, stop.received]);
  } finally {
    stop.dispose();
    await server.close();
  }
  return EXIT_OK;
}
