/** Shared by the command definitions: actions that import their command module only when run. */
import type { Command } from 'commander';
import { EXIT_OK } from '../exit-codes.cjs';
import type { CliIo, CommandContext, GlobalOptions } from './context.js';

/** The streams and environment each program runs with (set by `main`, read by the actions). */
const programIo = new WeakMap<Command, CliIo>();

export function setProgramIo(program: Command, io: CliIo): void {
  programIo.set(program, io);
}

function ioOf(command: Command): CliIo {
  let root = command;
  while (root.parent) root = root.parent;
  const io = programIo.get(root);
  if (!io) throw new Error('the program was not started through main()');
  return io;
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
    const ctx = createContext(command.optsWithGlobals<GlobalOptions>(), ioOf(command));
    const run = module[exportName] as CommandRun;
    // A nested command (`history export`, `relay keys add`) also sees its ancestors' options
    // (`history --event …`, `relay --keys …`); the program's own are the globals in `ctx`.
    let inherited: Record<string, unknown> = {};
    for (let ancestor = command.parent; ancestor?.parent; ancestor = ancestor.parent) inherited = { ...ancestor.opts(), ...inherited };
    const code = await run(ctx, ...positional, { ...inherited, ...command.opts() });
    command.setOptionValue('__exitCode', code ?? EXIT_OK);
  };
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** The exit code the action of `command` returned (see `lazy`). */
export function exitCodeOf(command: Command): number | undefined {
  return command.getOptionValue('__exitCode') as number | undefined;
}
