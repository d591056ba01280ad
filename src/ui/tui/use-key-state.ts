import { useCallback, useRef, useState } from 'react';

/**
 * State that key handlers read and write synchronously. Keys (a held-down j, a fast typist) can
 * arrive before React re-renders, so a handler reading `useState` values would see stale ones and
 * drop keys; this keeps the truth in a ref and renders from it.
 */
export function useKeyState<T extends object>(
  initial: T,
): [T, (patch: Partial<T> | ((current: T) => Partial<T>)) => void, { readonly current: T }] {
  const ref = useRef(initial);
  const [, setVersion] = useState(0);
  const update = useCallback((patch: Partial<T> | ((current: T) => Partial<T>)) => {
    ref.current = { ...ref.current, ...(typeof patch === 'function' ? patch(ref.current) : patch) };
    setVersion((v) => v + 1);
  }, []);
  return [ref.current, update, ref];
}
