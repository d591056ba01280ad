import { useEffect } from 'react';

/**
 * Clears a result line (`✓ replayed …`) after `ms`, unless it is `pending` (a replay still
 * running). `clear` receives the message it was set for, so a newer one is left alone.
 */
export function useFadingMessage(message: string, pending: boolean, ms: number, clear: (shown: string) => void): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the timer restarts for a new message, not for a new `clear` callback each render
  useEffect(() => {
    if (!message || pending) return;
    const timer = setTimeout(() => clear(message), ms);
    return () => clearTimeout(timer);
  }, [message, pending, ms]);
}
