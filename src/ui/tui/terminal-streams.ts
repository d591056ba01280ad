import chalk from 'chalk';

/** The streams a TUI draws on and reads keys from: the command's, which are the process's outside tests. */
export interface TerminalStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** The command's colour decision (`ctx.color`), which the TUI follows. */
  color?: boolean;
}

/**
 * As ink's render() takes them (it is typed for the process's own streams). Ink paints with chalk's
 * shared instance, which reads only the process's flags and FORCE_COLOR: it gets the command's
 * decision instead, so NO_COLOR and a forced colour apply to the TUI as to every other output.
 */
export function terminalStreams({ stdout, stderr, stdin, color }: TerminalStreams) {
  if (color !== undefined) chalk.level = color ? (Math.max(chalk.level, 1) as typeof chalk.level) : 0;
  return {
    stdout: stdout as NodeJS.WriteStream,
    stderr: stderr as NodeJS.WriteStream,
    stdin: stdin as NodeJS.ReadStream,
  };
}
