/** The streams a TUI draws on and reads keys from: the command's, which are the process's outside tests. */
export interface TerminalStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

/** As ink's render() takes them (it is typed for the process's own streams). */
export function terminalStreams({ stdout, stderr, stdin }: TerminalStreams) {
  return {
    stdout: stdout as NodeJS.WriteStream,
    stderr: stderr as NodeJS.WriteStream,
    stdin: stdin as NodeJS.ReadStream,
  };
}
