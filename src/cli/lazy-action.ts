/**
 * Shared by the command definitions: actions that import their command module only when run,
 * typed from the command's own declaration (`@commander-js/extra-typings`), so a handler whose
 * arguments or options differ from what its command declares is a type error.
 */
import type { Command, CommandUnknownOpts, OptionValues } from '@commander-js/extra-typings';
import { EXIT_OK } from '../exit-codes.js';
import type { CliIo, CommandContext, GlobalOptions } from './context.js';

/** One run of a program: the streams and environment `main` was given, and the code the action returned. */
interface ProgramRun {
  io: CliIo;
  exitCode?: number;
}

const programRuns = new WeakMap<CommandUnknownOpts, ProgramRun>();

export function startProgramRun(program: CommandUnknownOpts, io: CliIo): void {
  programRuns.set(program, { io });
}

function runOf(command: CommandUnknownOpts): ProgramRun {
  let root = command;
  while (root.parent) root = root.parent;
  const run = programRuns.get(root);
  if (!run) throw new Error('the program was not started through main()');
  return run;
}

/**
 * A command's handler: the context, then the positional arguments, then the options. It returns
 * the exit code, or nothing for success.
 */
export type CommandRun<Args extends unknown[], Opts> = (ctx: CommandContext, ...args: [...Args, Opts]) => unknown;

/** The options a command declares, as its handler receives them: `OptionsOf<typeof defineTrigger>`. */
export type OptionsOf<Define extends (...args: never[]) => { opts(): OptionValues }> = ReturnType<
  ReturnType<Define>['opts']
>;

/**
 * Runs `command` by importing its handler only then (`load`), and keeps the exit code it returns
 * for `main`. A nested command (`history export`, `relay keys add`) also gets the options of the
 * `parent` it names (`history --event …`, `relay --keys …`); the program's own are in `ctx`.
 */
export function runLazily<
  Args extends unknown[],
  Opts extends OptionValues,
  Globals extends OptionValues,
  Inherited extends OptionValues = Record<never, never>,
>(
  command: Command<Args, Opts, Globals>,
  load: () => Promise<NoInfer<CommandRun<Args, Opts & Inherited>>>,
  _parent?: Command<unknown[], Inherited, OptionValues>,
): void {
  command.action(async (...received) => {
    // commander passes the positional arguments, then the options, then the command itself.
    const positional = received.slice(0, -2) as unknown[] as Args;
    // The context module (settings, config paths) loads with the command, not for --help.
    const [{ createContext }, run] = await Promise.all([import('./context.js'), load()]);
    const programRun = runOf(command);
    const ctx = createContext(command.optsWithGlobals() as unknown as GlobalOptions, programRun.io);
    let inherited: OptionValues = {};
    for (let ancestor = command.parent; ancestor?.parent; ancestor = ancestor.parent) {
      inherited = { ...ancestor.opts(), ...inherited };
    }
    const options = { ...inherited, ...command.opts() } as Opts & Inherited;
    const code = await run(ctx, ...positional, options);
    programRun.exitCode = typeof code === 'number' ? code : EXIT_OK;
  });
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** The exit code the action of the command `program` ran returned (see `runLazily`). */
export function exitCodeOf(program: CommandUnknownOpts): number | undefined {
  return programRuns.get(program)?.exitCode;
}
