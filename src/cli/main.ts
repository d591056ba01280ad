/**
 * The command table. Only commander and the small `define-*` modules load at start-up: each
 * command's module is imported when that command runs (a chunk of its own in the bundle), so
 * `--help`, `--version` and `trigger` never load the TUI, SQLite or WebSocket stacks. `main`
 * returns the exit code; only src/bin.ts exits. It reads and writes through the `io` it is given
 * (the entry passes the process's), so tests run it in-process with captured output, a chosen
 * environment and a forced terminal or not.
 */
import { Command, CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { VERSION } from '../version.js';
import { outlineCommandsExcept } from './command-outline.js';
import type { CliIo } from './context.js';
import { defineApiCommands } from './define-api.js';
import { defineDoctorCommands } from './define-doctor.js';
import { defineFoundationCommands } from './define-foundation.js';
import { defineListenCommands } from './define-listen.js';
import { defineMcpCommands } from './define-mcp.js';
import { defineRelayCommands } from './define-relay.js';
import { defineScenarioCommands } from './define-scenarios.js';
import { defineSmokeCommands } from './define-smoke.js';
import { examples, exitCodeOf, type OptionsOf, startProgramRun } from './lazy-action.js';

/** The program and its global options, which every command's context is built from (`GlobalOptions`). */
function defineProgram() {
  return new Command('webhooks-cli')
    .description("Sign, trigger, receive, relay and emulate the fashion-catalog platform's webhooks.")
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable output on stdout (nothing else is printed there)')
    .option('--no-color', 'plain text without colours (also NO_COLOR)')
    .option('--db <path>', 'history database (env WEBHOOKS_DB)')
    .option('--api-url <url>', 'platform API base URL, with or without /api/v1 (env WEBHOOKS_API_URL)')
    .option(
      '--token <token>',
      'platform API token (env WEBHOOKS_API_TOKEN; an API on this machine gets `dev` when none is set)',
    )
    .option(
      '--profile <name>',
      'the stored settings profile to use (env WEBHOOKS_PROFILE; default: the default profile)',
    )
    .option('--verbose', 'more detail in errors and logs')
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false)
    .addHelpText(
      'after',
      examples([
        'webhooks-cli listen --port 3000 --secret s3cret',
        'webhooks-cli trigger catalog.product.created --to http://127.0.0.1:3000/webhook --secret s3cret',
        'webhooks-cli trigger --all --to http://127.0.0.1:3000/webhook --secret s3cret --json',
        'webhooks-cli events list',
        'webhooks-cli history --limit 20',
      ]),
    );
}

/** The global options as the command context reads them. */
export type GlobalOptions = OptionsOf<typeof defineProgram>;

/**
 * Every command, each loading its module only when it runs. Given the run's `argv`, only the
 * commands its words name are defined in full, the rest outlined (cli/command-outline.ts).
 */
export function buildProgram(argv?: readonly string[]): CommandUnknownOpts {
  const program = defineProgram();
  const defining = argv ? outlineCommandsExcept(program, new Set(argv)) : program;
  defineFoundationCommands(defining);
  defineApiCommands(defining);
  defineListenCommands(defining);
  defineRelayCommands(defining);
  defineSmokeCommands(defining);
  defineDoctorCommands(defining);
  defineScenarioCommands(defining);
  defineMcpCommands(defining);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never exits. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(argv);
  startProgramRun(program, io);
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
    return exitCodeOf(program) ?? EXIT_OK;
  } catch (err) {
    // The program's own options are parsed before any command's, so these are known here.
    const { json: wantsJson = false, verbose = false } = program.opts() as GlobalOptions;
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return EXIT_OK;
      if (err.exitCode === 0) return EXIT_OK;
      // commander has already printed its one-line message on stderr; under --json stdout says it too.
      if (wantsJson)
        io.stdout.write(
          `${JSON.stringify({
            error: { message: err.message.replace(/^error: /, ''), hint: null, exitCode: EXIT_USAGE },
          })}\n`,
        );
      return EXIT_USAGE;
    }
    return await reportError(err, io, { json: wantsJson, verbose });
  }
}

async function reportError(
  err: unknown,
  io: CliIo,
  { json, verbose }: { json: boolean; verbose: boolean },
): Promise<number> {
  // Loaded only when something failed: the start-up path stays small.
  const { UserError } = await import('../errors.js');
  if (err instanceof UserError) {
    io.stderr.write(`error: ${err.message}${err.hint ? ` — ${err.hint}` : ''}\n`);
    if (verbose && err.cause instanceof Error && err.cause.stack) io.stderr.write(`${err.cause.stack}\n`);
    if (json)
      io.stdout.write(
        `${JSON.stringify({ error: { message: err.message, hint: err.hint ?? null, exitCode: err.exitCode } })}\n`,
      );
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: unexpected failure: ${message} — rerun with --verbose and report it\n`);
  if (verbose && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ error: { message, hint: null, exitCode: EXIT_FAILED } })}\n`);
  return EXIT_FAILED;
}

function allCommands(command: CommandUnknownOpts): CommandUnknownOpts[] {
  return [command, ...command.commands.flatMap(allCommands)];
}
