/**
 * A run needs in full only the commands its own words name. Every other top-level command is
 * registered as an outline — its name, arguments and description, so the root help lists it and a
 * mistyped name gets a suggestion — without the options, help texts and actions its definition
 * would build: defining ~40 commands with ~150 options in full is a quarter of `--help`'s time.
 */
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings';

/**
 * `program`, except that `command(name…)` for a name not in `words` registers an outline and hands
 * back a stand-in that takes the rest of the definition's calls and keeps only the description.
 */
export function outlineCommandsExcept(program: CommandUnknownOpts, words: ReadonlySet<string>): CommandUnknownOpts {
  return new Proxy(program, {
    get(target, key, receiver) {
      if (key !== 'command') return Reflect.get(target, key, receiver);
      return (nameAndArgs: string, options?: { hidden?: boolean }) => {
        const command = target.command(nameAndArgs, options);
        return words.has(nameAndArgs.split(' ')[0]!) ? command : outlineOf(command);
      };
    },
  });
}

/** Takes a definition's calls: the description reaches `outlined`; an option marks it as having some. */
function outlineOf(outlined: CommandUnknownOpts | undefined): CommandUnknownOpts {
  let marked = false;
  const standIn: CommandUnknownOpts = new Proxy({} as CommandUnknownOpts, {
    get:
      (_, key) =>
      (...args: unknown[]) => {
        // A subcommand's definition belongs to no listing of ours.
        if (key === 'command') return outlineOf(undefined);
        if (outlined && key === 'description' && typeof args[0] === 'string') outlined.description(args[0]);
        if (outlined && !marked && (key === 'option' || key === 'requiredOption' || key === 'addOption')) {
          // The root help writes `trigger [options] [types...]` for a command that has options.
          marked = true;
          outlined.addOption(new Option('--outlined').hideHelp());
        }
        return standIn;
      },
  });
  return standIn;
}
