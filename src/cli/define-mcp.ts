/** `mcp`: the Model Context Protocol server a coding agent drives the tool through. */
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';
import { duration } from './parse.js';

export function defineMcpCommands(program: CommandUnknownOpts): void {
  runLazily(defineMcp(program), () => import('../commands/mcp.js').then((m) => m.mcpCommand));
}

/** `mcp` */
export function defineMcp(parent: CommandUnknownOpts) {
  return parent
    .command('mcp')
    .description(
      'a Model Context Protocol server on stdio: lets a coding agent list events, trigger, read the history, replay, diagnose and smoke-test a receiver',
    )
    .option(
      '--secret <secret>',
      'the signing secret tools use when a call names none (env WEBHOOKS_SECRET, or `config set secret`); never returned by a tool',
    )
    .option(
      '--secret-file <file>',
      'read that secret from a file instead (out of sight of ps and shell history; not -: stdin is the protocol)',
    )
    .option(
      '--allow-remote',
      'let tools send to receivers beyond this machine (default: 127.0.0.0/8, ::1, localhost only)',
    )
    .addOption(
      new Option('--timeout <duration>', 'per-request timeout of the deliveries tools send')
        .argParser(duration)
        .default(10_000, '10s'),
    )
    .addHelpText(
      'after',
      `${examples([
        'webhooks-cli mcp --secret-file ~/.webhook-secret',
        'webhooks-cli --db ./webhooks.db mcp    # the history its tools record to and read',
        'claude mcp add webhooks -- npx webhooks-cli mcp --secret s3cret',
      ])}
Tools: list_event_types, get_event_schema, trigger_event, list_deliveries, get_delivery, replay_delivery,
diagnose_receiver, smoke_test. It speaks JSON-RPC on stdin/stdout and logs on stderr; it ends when stdin closes.
`,
    );
}
export type McpOptions = OptionsOf<typeof defineMcp>;
