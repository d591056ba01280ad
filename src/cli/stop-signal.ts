/**
 * The first Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed) from now on. Long-running commands await it, then drain
 * and resolve, so only the entry point ends the process and nothing in flight is lost. A second
 * signal while draining (`again`) asks to stop waiting: keep what is recorded and end now.
 */

/**
 * Where stop requests come from: the entry wires the process's SIGINT, SIGTERM and SIGHUP to it
 * (src/bin.ts), tests send their own. While nothing is subscribed, a signal does what it does by
 * default (ends the process), which is what a second Ctrl-C relies on.
 */
export interface SignalSource {
  /** Calls `listener` for each stop signal until the returned function is called. */
  subscribe(listener: (signal: NodeJS.Signals) => void): () => void;
}

export interface StopSignal {
  received: Promise<NodeJS.Signals>;
  /** The next signal after the first (only with `{ again: true }`; otherwise never). */
  again: Promise<NodeJS.Signals>;
  /** Stops listening (call it in `finally`, after draining). */
  dispose: () => void;
}

/**
 * Without `again`, the first signal ends the listening, so a second one ends the process the
 * usual way. With it, a second signal is the caller's to handle until `dispose()`.
 */
export function listenForStop(signals: SignalSource, { again: wantsAgain = false } = {}): StopSignal {
  let count = 0;
  let first: (signal: NodeJS.Signals) => void = () => {};
  let second: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => (first = resolve));
  const again = new Promise<NodeJS.Signals>((resolve) => (second = resolve));
  let unsubscribe = () => {};
  const dispose = () => unsubscribe();
  const stop = (signal: NodeJS.Signals) => {
    if (++count === 1) {
      if (!wantsAgain) dispose();
      first(signal);
    } else second(signal);
  };
  unsubscribe = signals.subscribe(stop);
  return { received, again, dispose };
}

/** The exit code of a process ended by `signal`, as shells report it (SIGINT: 130). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]!;
}
