/**
 * The first Ctrl-C (SIGINT) or SIGTERM from now on. Long-running commands await it, then drain
 * and resolve, so only the entry point ends the process and nothing in flight is lost.
 */
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
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { received, dispose };
}
