/**
 * Edit and replay: the body in a JSON editor checked as it is typed (syntax, then the envelope and
 * the event's schema, as `listen --validate` judges a delivery), the headers as lines, and where to
 * send it. The server signs the edited bytes afresh with a new delivery id when it is sent.
 */
import { findNodeAtLocation, type JSONPath, parseTree } from 'jsonc-parser';
import { useMemo, useRef, useState } from 'preact/hooks';
import type { SchemaIssue } from '../core/schema-issue.js';
import type { DetailJson, ReplayAnswer } from '../inspector/wire.js';
import { ApiError, postJson } from './api.js';
import { Tokens } from './BodyView.js';
import { IssueList } from './DetailView.js';
import { headersToLines, linesToHeaders } from './header-lines.js';
import { fromBase64, utf8Text } from './hex-dump.js';
import { highlight, jsonProblems, prettyJson } from './json-text.js';
import { useChecker } from './schema-check.js';

export interface EditReplayProps {
  detail: DetailJson;
  onClose(): void;
  onSent(answer: ReplayAnswer): void;
}

export function EditReplay({ detail, onClose, onSent }: EditReplayProps) {
  const original = useMemo(() => utf8Text(fromBase64(detail.body)) ?? '', [detail]);
  const [body, setBody] = useState(original);
  const [headerText, setHeaderText] = useState(() => headersToLines(detail.editableHeaders));
  const [target, setTarget] = useState(detail.replayTarget ?? '');
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);

  const syntax = useMemo(() => jsonProblems(body), [body]);
  const headers = useMemo(() => linesToHeaders(headerText), [headerText]);
  const checkDelivery = useChecker();
  const schema = useMemo(
    () =>
      syntax.length || !checkDelivery
        ? null
        : // As it will be sent: the original's event unless the headers name another, a new delivery id.
          checkDelivery(
            {
              'x-webhook-event': detail.row.event ?? undefined,
              ...headers.headers,
              'x-webhook-delivery': 'made when sent',
            },
            body,
          ),
    [body, headers, syntax, checkDelivery, detail],
  );
  const issues = schema?.errors ?? [];
  const blocked = syntax.length > 0 || headers.problems.length > 0 || !target.trim() || sending;

  const select = (from: number, length: number) => {
    const input = editor.current;
    if (!input) return;
    input.focus();
    input.setSelectionRange(from, from + Math.max(length, 1));
  };
  const pick = (issue: SchemaIssue) => {
    const node = nodeFor(body, issue.path);
    if (node) select(node.offset, node.length);
  };

  const send = async () => {
    if (blocked) return;
    setSending(true);
    setResult(null);
    try {
      const answer = await postJson<ReplayAnswer>(`/api/rows/${detail.row.id}/replay`, {
        to: target.trim(),
        body,
        headers: headers.headers,
      });
      setResult({ ok: answer.ok, text: answer.line });
      onSent(answer);
    } catch (err) {
      setResult({
        ok: false,
        text: err instanceof ApiError && err.hint ? `${err.message} — ${err.hint}` : (err as Error).message,
      });
    } finally {
      setSending(false);
    }
  };

  return (
    <div
      class="dialog edit-replay"
      role="dialog"
      aria-modal="true"
      aria-label="edit and replay"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
      }}
    >
      <header class="dialog-head">
        <h2>Edit &amp; replay {detail.row.deliveryId ?? `#${detail.row.id}`}</h2>
        <button type="button" class="close" onClick={onClose} aria-label="close">
          ×
        </button>
      </header>
      <label class="field">
        <span>Send to</span>
        <input
          type="url"
          name="target"
          value={target}
          onInput={(e) => setTarget(e.currentTarget.value)}
          placeholder="http://127.0.0.1:3000/webhook"
        />
      </label>
      {detail.replayTargetProblem && !target ? <p class="warn">{detail.replayTargetProblem}</p> : null}
      <label class="field">
        <span>Headers</span>
        <textarea
          name="headers"
          class="mono headers-input"
          rows={Math.min(8, Math.max(3, headerText.split('\n').length))}
          spellcheck={false}
          value={headerText}
          onInput={(e) => setHeaderText(e.currentTarget.value)}
        />
        <small class="muted">X-Webhook-Signature and X-Webhook-Delivery are made afresh when it is sent.</small>
      </label>
      {headers.problems.map((p) => (
        <p key={p} class="bad">
          {p}
        </p>
      ))}
      <div class="field">
        <span class="editor-label">
          Body{' '}
          <button type="button" class="small" onClick={() => setBody(prettyJson(body))} disabled={syntax.length > 0}>
            Format
          </button>
          <button type="button" class="small" onClick={() => setBody(original)} disabled={body === original}>
            Undo all
          </button>
        </span>
        <JsonEditor text={body} onChange={setBody} inputRef={editor} problem={syntax[0]} />
      </div>
      <div class="checks" aria-live="polite" data-testid="edit-checks">
        {syntax[0] ? (
          <p class="bad">
            <button type="button" class="link" onClick={() => select(syntax[0]!.offset, syntax[0]!.length)}>
              line {syntax[0].line}, column {syntax[0].column}
            </button>
            : {syntax[0].message}
          </p>
        ) : !schema ? (
          <p class="muted">checking…</p>
        ) : issues.length ? (
          <>
            <p class="bad" data-testid="schema-problems">
              ✗ {issues.length} schema problem{issues.length === 1 ? '' : 's'}
            </p>
            <IssueList issues={issues} onPick={pick} />
          </>
        ) : (
          <p class="ok" data-testid="schema-ok">
            ✓ valid: the envelope and its event's schema
          </p>
        )}
      </div>
      <footer class="dialog-foot">
        {result ? (
          <p class={result.ok ? 'ok' : 'bad'} role="status" data-testid="replay-result">
            {result.text}
          </p>
        ) : null}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="primary" onClick={() => void send()} disabled={blocked}>
          {sending
            ? 'Sending…'
            : issues.length
              ? `Send anyway (${issues.length} schema problem${issues.length === 1 ? '' : 's'})`
              : 'Send'}
        </button>
      </footer>
    </div>
  );
}

/** A textarea over its own text coloured: the colours show through, the caret and selection are the textarea's. */
function JsonEditor({
  text,
  onChange,
  inputRef,
  problem,
}: {
  text: string;
  onChange(text: string): void;
  inputRef: preact.RefObject<HTMLTextAreaElement | null>;
  problem?: { offset: number; length: number };
}) {
  const layer = useRef<HTMLPreElement>(null);
  const tokens = useMemo(() => highlight(text, problem), [text, problem]);
  return (
    <div class="editor">
      <pre class="editor-layer code" aria-hidden="true" ref={layer}>
        <Tokens tokens={tokens} />
        {'\n'}
      </pre>
      <textarea
        ref={inputRef}
        name="body"
        class="editor-input code"
        aria-label="body (JSON)"
        spellcheck={false}
        autocomplete="off"
        value={text}
        onInput={(e) => onChange(e.currentTarget.value)}
        onScroll={(e) => {
          if (!layer.current) return;
          layer.current.scrollTop = e.currentTarget.scrollTop;
          layer.current.scrollLeft = e.currentTarget.scrollLeft;
        }}
      />
    </div>
  );
}

/** Where an issue's path (`data.items[0].sku`) is in the text; the nearest existing parent for a missing field. */
function nodeFor(text: string, path: string): { offset: number; length: number } | undefined {
  const root = parseTree(text);
  if (!root) return undefined;
  if (path === '(envelope)' || path.startsWith('header') || path === 'body') return { offset: root.offset, length: 1 };
  const segments: JSONPath = [];
  for (const part of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    segments.push(part[2] === undefined ? part[1]! : Number(part[2]));
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, segments.slice(0, n));
    if (!node) continue;
    // A property's value: select its name too, where there is one.
    const owner = node.parent?.type === 'property' ? node.parent : node;
    return { offset: owner.offset, length: n === segments.length ? owner.length : 1 };
  }
  return undefined;
}
