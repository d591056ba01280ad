import { type Key, useInput } from 'ink';
import { useEffect, useRef } from 'react';
import type { ReplayAction } from '../../delivery/replay-action.js';
import { printable } from '../../format/terminal-text.js';
import { type DeliveryRecord, deliveryLabel } from '../../store/delivery-record.js';
import { type BrowserKeyState, routeBrowserKey } from './browser-keys.js';
import { clampScroll } from './DeliveryDetail.js';
import { eachKeypress } from './each-keypress.js';
import { openLine } from './line-editor.js';
import { useFadingMessage } from './use-fading-message.js';
import { useKeyState } from './use-key-state.js';
import { useTerminalLent } from './use-terminal-hand-over.js';

/** What both browsers keep besides their rows: the mode, the filter draft, the detail's scroll, the result line. */
export interface BrowserState extends BrowserKeyState {
  scroll: number;
}

/** What differs between the browsers, given at each render (keys read the newest). */
export interface BrowserListControls {
  /** Rows in a page, which is also the height the detail view scrolls in. */
  page: number;
  /** Lines of the open detail view. */
  detailLength: number;
  /** What `r` re-sends: the delivery open or selected, if any. */
  replayTarget(): DeliveryRecord | undefined;
  /** Called once a replay's result is in (the history then re-reads its list). */
  afterReplay?(): void;
  /** Called with a replay's new delivery as soon as it is sent (the live view marks its copy ↻). */
  replaySent?(sent: DeliveryRecord): void;
  /** The filter line was applied (with its text) or cancelled (undefined). */
  finishFilter(text: string | undefined): void;
  /** Keys the list itself handles (moving, opening the detail, starting the filter). */
  onListKey(input: string, key: Key): void;
}

export interface BrowserControllerOptions {
  replay?: ReplayAction;
  onQuit(): void;
  /** How long a result line stays; any key clears it sooner. */
  messageMs: number;
}

/**
 * The controller both browsers (the live `listen` view and `history`) share: their key state, the
 * keys they share (quit, replay, edit and replay, the filter line, the detail view) and the one replay action.
 * `own` adds each browser's list state; `controls(…)` hands over, each render, what differs.
 */
export function useBrowserController<T extends object>(
  own: T,
  { replay, onQuit, messageMs }: BrowserControllerOptions,
) {
  const [ui, patch, latest] = useKeyState<BrowserState & T>({
    mode: 'list',
    draft: openLine(''),
    scroll: 0,
    message: '',
    messagePending: false,
    ...own,
  });
  // Partial<BrowserState & T> cannot be built from BrowserState's keys alone while T is generic.
  const update = patch as (
    change: Partial<BrowserState & T> | ((current: BrowserState & T) => Partial<BrowserState & T>),
  ) => void;
  const setShared = (change: Partial<BrowserState>) => update(change as Partial<BrowserState & T>);
  useFadingMessage(ui.message, ui.messagePending, messageMs, (shown) => {
    if (latest.current.message === shown) setShared({ message: '' });
  });
  const controls = useRef<BrowserListControls | undefined>(undefined);
  // A replay may end after the view has gone (quit while it was in flight): its store may be closed by then.
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const startReplay = (edit = false) => {
    const original = controls.current?.replayTarget();
    if (!original) return;
    if (!replay) return setShared({ message: 'replay is not available here' });
    // The label is the delivery id a sender chose.
    const label = printable(deliveryLabel(original));
    setShared({
      message: edit ? `editing ${label} in your editor; save and quit it to replay…` : `replaying ${label}…`,
      messagePending: true,
    });
    replay(original, { edit, onSent: (sent) => controls.current?.replaySent?.(sent) }).then(
      (message) => {
        if (!mounted.current) return;
        setShared({ message, messagePending: false });
        controls.current?.afterReplay?.();
      },
      (err: unknown) => {
        if (mounted.current)
          setShared({ message: printable(`replay failed: ${(err as Error).message}`), messagePending: false });
      },
    );
  };

  const onKey = (input: string, key: Key) => {
    const list = controls.current;
    if (!list) return;
    routeBrowserKey(input, key, latest.current, {
      page: list.page,
      quit: onQuit,
      replay: () => startReplay(),
      editReplay: () => startReplay(true),
      clearMessage: () => setShared({ message: '' }),
      setDraft: (draft) => setShared({ draft }),
      finishFilter: list.finishFilter,
      backToList: () => setShared({ mode: 'list' }),
      scrollBy: (by) => setShared({ scroll: clampScroll(latest.current.scroll + by, list.detailLength, list.page) }),
      onListKey: list.onListKey,
    });
  };
  // While the editor has the terminal, no key is read here: each one is the editor's.
  const lent = useTerminalLent();
  useInput((input, key) => eachKeypress(input, key, onKey), { isActive: !lent });

  return {
    ui,
    update,
    latest,
    /** Hands over this render's list controls. */
    controls: (list: BrowserListControls) => void (controls.current = list),
  };
}
