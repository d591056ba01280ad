import { useEffect, useRef, useState } from 'react';
import type { Listener, ListenerInfo, ListenerStats, WriteProblem } from '../../receiver/index.js';
import type { DeliveryRecord } from '../../store/delivery-record.js';
import { keepWindow, type LiveRow } from './live-window.js';

/** What the live view reads from a running listener. */
export type ListenerFeedSource = Pick<Listener, 'stats' | 'onRecord' | 'info' | 'onInfo' | 'onWriteProblem'> &
  Partial<Pick<Listener, 'onDiagnosis'>>;

export interface ListenerFeedOptions {
  /** Received requests kept (older ones are in the history). */
  maxRows: number;
  /** Bytes of bodies the kept requests may hold; fewer rows are kept when they are large. */
  maxBytes: number;
  /** How often new requests and counts are taken in; a burst of thousands is one update. */
  refreshMs: number;
  /** Called once subscribed: every request from then on is listed. */
  onReady?: () => void;
}

export interface ListenerFeed {
  /** The newest requests, oldest first, each numbered in arrival order. */
  rows: LiveRow[];
  stats: ListenerStats;
  info: ListenerInfo;
  writeProblem: WriteProblem | null;
}

/**
 * A listener's requests, counts and status as React state. Requests arrive far faster than a
 * terminal redraws, so they are gathered and taken in every `refreshMs`; an idle listener causes
 * no updates at all.
 */
export function useListenerFeed(
  listener: ListenerFeedSource,
  { maxRows, maxBytes, refreshMs, onReady }: ListenerFeedOptions,
): ListenerFeed {
  const [rows, setRows] = useState<LiveRow[]>([]);
  const [stats, setStats] = useState<ListenerStats>(() => listener.stats());
  const [info, setInfo] = useState<ListenerInfo>(() => listener.info());
  const [writeProblem, setWriteProblem] = useState<WriteProblem | null>(null);
  const arrived = useRef<DeliveryRecord[]>([]);
  const seq = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: subscribes once per listener; `onReady` is called once, from the first render's props
  useEffect(() => {
    const offRecord = listener.onRecord((record) => void arrived.current.push(record));
    const offInfo = listener.onInfo(setInfo);
    const offProblem = listener.onWriteProblem(setWriteProblem);
    // The doctor's verdict lands on rows already shown: draw them again.
    const offDiagnosis = listener.onDiagnosis?.(({ line }) =>
      setRows((previous) =>
        previous.map((row) => (row.record.diagnosis === line ? { ...row, record: { ...row.record } } : row)),
      ),
    );
    onReady?.();
    const timer = setInterval(() => {
      const batch = arrived.current;
      arrived.current = [];
      if (batch.length > 0) {
        // Only the newest rows that can show are numbered and kept: a burst of thousands costs little.
        const fresh = batch.slice(-maxRows).map((record) => ({ seq: (seq.current += 1), record }));
        setRows((previous) => keepWindow(previous, fresh, maxRows, maxBytes));
      }
      const next = listener.stats();
      setStats((previous) => (sameStats(previous, next) ? previous : next));
    }, refreshMs);
    return () => {
      offRecord();
      offInfo();
      offProblem();
      offDiagnosis?.();
      clearInterval(timer);
    };
  }, [listener, maxRows, maxBytes, refreshMs]);
  return { rows, stats, info, writeProblem };
}

function sameStats(a: ListenerStats, b: ListenerStats): boolean {
  return (
    a.received === b.received &&
    a.valid === b.valid &&
    a.invalid === b.invalid &&
    a.duplicates === b.duplicates &&
    a.failed === b.failed &&
    a.ratePerSecond === b.ratePerSecond
  );
}
