/** Shared by the command definitions: actions that import their command module only when run. */
import type { Command } from 'commander';
import { EXIT_OK } from '../exit-codes.js';
import type { CliIo, CommandContext, GlobalOptions } from './context.js';

/** One run of a program: the streams and environment `main` was given, and the code the action returned. */
interface ProgramRun {
  io: CliIo;
  exitCode?: number;
}

const programRuns = new WeakMap<Command, ProgramRun>();

export function startProgramRun(program: Command, io: CliIo): void {
  programRuns.set(program, { io });
}

function runOf(command: Command): ProgramRun {
  let root = command;
  while (root.parent) root = root.parent;
  const run = programRuns.get(root);
  if (!run) throw new Error('the program was not started through main()');
  return run;
}

/** A command's entry: gets the context, then the positional arguments, then the options. */
export type CommandRun = (ctx: CommandContext, ...args: any[]) => Promise<number | void> | number | void;

/**
 * An action that imports the command's module only when the command runs, calls the named
 * export, and keeps its exit code for `main` to return.
 */
export function lazy<M>(load: () => Promise<M>, exportName: keyof M & string) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    // The context module (settings, config paths) loads with the command, not for --help.
    const [{ createContext }, module] = await Promise.all([import('./context.js'), load()]);
    const programRun = runOf(command);
    const ctx = await createContext(command.optsWithGlobals<GlobalOptions>(), programRun.io);
    const run = module[exportName] as CommandRun;
    // A nested command (`history export`, `relay keys add`) also sees its ancestors' options
    // (`history --event …`, `relay --keys …`); the program's own are the globals in `ctx`.
    let inherited: Record<string, unknown> = {};
    for (let ancestor = command.parent; ancestor?.parent; ancestor = ancestor.parent)
      inherited = { ...ancestor.opts(), ...inherited };
    const code = await run(ctx, ...positional, { ...inherited, ...command.opts() });
    programRun.exitCode = code ?? EXIT_OK;
  };
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** The exit code the action of the command `program` ran returned (see `lazy`). */
export function exitCodeOf(program: Command): number | undefined {
  return programRuns.get(program)?.exitCode;
}
