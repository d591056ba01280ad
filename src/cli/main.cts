/**
 * The command table. Only commander and the small `define-*` modules load at start-up: each
 * command's module is imported when that command runs, so `--help`, `--version` and `trigger`
 * never load the TUI, SQLite or WebSocket stacks. `main` returns the exit code; only bin/ exits.
 * It reads and writes only the `io` it is given (bin/ passes the process's), so tests run it
 * in-process with captured output, a chosen environment and a forced terminal or not.
 *
 * The start-up path (bin, src/cli/*.cts, version, exit codes) is CommonJS: Node loads CommonJS
 * several times faster than ES modules, a third of `--help`'s time (npm run bench measures it).
 * Everything a command does is ESM, reached through `import()`.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.cjs';
import { VERSION } from '../version.cjs';
import { defineFoundationCommands } from './define-foundation.cjs';
import { defineApiCommands } from './define-api.cjs';
import { defineListenCommands } from './define-listen.cjs';
import { defineRelayCommands } from './define-relay.cjs';
import { defineScenarioCommands } from './define-scenarios.cjs';
import { defineSmokeCommands } from './define-smoke.cjs';
import type { CliIo } from './context.js';
import { exitCodeOf, examples, setProgramIo } from './lazy-action.cjs';

export function buildProgram(): Command {
  const program = new Command('webhooks-cli')
    .description('Sign, trigger, receive, relay and emulate the fashion-catalog platform\'s webhooks.')
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable output on stdout (nothing else is printed there)')
    .option('--no-color', 'plain text without colours (also NO_COLOR)')
    .option('--db <path>', 'history database (env WEBHOOKS_DB)')
    .option('--api-url <url>', 'platform API base URL, with or without /api/v1 (env WEBHOOKS_API_URL)')
    .option('--token <token>', 'platform API token (env WEBHOOKS_API_TOKEN; an API on this machine gets `dev` when none is set)')
    .option('--profile <name>', 'the stored settings profile to use (env WEBHOOKS_PROFILE; default: the default profile)')
    .option('--verbose', 'more detail in errors and logs')
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false)
    .addHelpText('after', examples([
      'webhooks-cli listen --port 3000 --secret s3cret',
      'webhooks-cli trigger catalog.product.created --to http://127.0.0.1:3000/webhook --secret s3cret',
      'webhooks-cli trigger --all --to http://127.0.0.1:3000/webhook --secret s3cret --json',
      'webhooks-cli events list',
      'webhooks-cli history --limit 20',
    ]));

  defineFoundationCommands(program);
  defineApiCommands(program);
  defineListenCommands(program);
  defineRelayCommands(program);
  defineSmokeCommands(program);
  defineScenarioCommands(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never exits. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram();
  setProgramIo(program, io);
  const wantsJson = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  // Help, version and usage errors go to the given streams too.
  const output = {
    writeOut: (text: string) => void io.stdout.write(text),
    writeErr: (text: string) => void io.stderr.write(text),
    getOutHelpWidth: () => (io.isTTY && io.stdout.columns ? io.stdout.columns : 80),
    getErrHelpWidth: () => (io.stderr.isTTY && io.stderr.columns ? io.stderr.columns : 80),
    // Our help has no colour of its own; there is nothing for commander to keep or strip.
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  };
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput(output);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    const ran = findRanCommand(program);
    return (ran && exitCodeOf(ran)) ?? EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      // commander has already printed its one-line message on stderr.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    return await reportError(err, io, { json: wantsJson, verbose });
  }
}

async function reportError(err: unknown, io: CliIo, { json, verbose }: { json: boolean; verbose: boolean }): Promise<number> {
  // Loaded only when something failed: the start-up path stays small.
  const { UserError } = await import('../errors.js');
  if (UserError.is(err)) {
    io.stderr.write(`error: ${err.message}${err.hint ? ` — ${err.hint}` : ''}\n`);
    if (verbose && err.cause instanceof Error && err.cause.stack) io.stderr.write(err.cause.stack + '\n');
    if (json) io.stdout.write(JSON.stringify({ error: { message: err.message, hint: err.hint ?? null, exitCode: err.exitCode } }) + '\n');
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: unexpected failure: ${message} — rerun with --verbose and report it\n`);
  if (verbose && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  if (json) io.stdout.write(JSON.stringify({ error: { message, hint: null, exitCode: EXIT_FAILED } }) + '\n');
  return EXIT_FAILED;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

function findRanCommand(program: Command): Command | undefined {
  return allCommands(program).find((c) => exitCodeOf(c) !== undefined);
}
