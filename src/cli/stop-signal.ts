/**
 * The first Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed) from now on. Long-running commands await it, then drain
 * and resolve, so only the entry point ends the process and nothing in flight is lost.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopSignal {
  received: Promise<NodeJS.Signals>;
  /** Stops listening (call it in `finally`). */
  dispose: () => void;
}

export function listenForStop(): StopSignal {
  let dispose = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      dispose();
      resolve(signal);
    };
    dispose = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, stop);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, stop);
  });
  return { received, dispose };
}
