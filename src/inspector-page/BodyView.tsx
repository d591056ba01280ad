/**
 * A body three ways: pretty JSON (coloured, the first syntax error marked and named), the raw text
 * as received, and a hex dump of the bytes. Always text nodes: a body is never read as HTML.
 */
import { useMemo, useState } from 'preact/hooks';
import { fromBase64, hexDump, utf8Text } from './hex-dump.js';
import { highlight, jsonProblems, prettyJson, type Token } from './json-text.js';

/** Larger bodies are shown without colours: thousands of coloured spans cost more than they help. */
const HIGHLIGHT_LIMIT = 200_000;
const HEX_LIMIT = 64 * 1024;

type View = 'pretty' | 'raw' | 'hex';

export function BodyView({ base64, label }: { base64: string; label: string }) {
  const bytes = useMemo(() => fromBase64(base64), [base64]);
  const text = useMemo(() => utf8Text(bytes), [bytes]);
  const [view, setView] = useState<View>(text === undefined ? 'hex' : 'pretty');
  const [allHex, setAllHex] = useState(false);
  if (bytes.length === 0) return <p class="muted">(empty)</p>;
  return (
    <div class="body-view">
      <div class="tabs" role="tablist" aria-label={`${label} view`}>
        {(['pretty', 'raw', 'hex'] as const).map((v) => (
          <button
            type="button"
            role="tab"
            key={v}
            aria-selected={view === v}
            disabled={v !== 'hex' && text === undefined}
            onClick={() => setView(v)}
          >
            {v === 'pretty' ? 'Pretty' : v === 'raw' ? 'Raw' : 'Hex'}
          </button>
        ))}
        <span class="muted">{bytes.length.toLocaleString()} bytes</span>
      </div>
      {text === undefined ? <p class="warn">Not UTF-8 text: binary data, shown as bytes.</p> : null}
      {view === 'pretty' && text !== undefined ? <PrettyJson text={text} /> : null}
      {view === 'raw' && text !== undefined ? <pre class="code raw">{text}</pre> : null}
      {view === 'hex' ? (
        <>
          <pre class="code hex">{hexDump(bytes, allHex ? bytes.length : HEX_LIMIT)}</pre>
          {bytes.length > HEX_LIMIT && !allHex ? (
            <button type="button" onClick={() => setAllHex(true)}>
              Show all {bytes.length.toLocaleString()} bytes
            </button>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

export function PrettyJson({ text }: { text: string }) {
  const problems = useMemo(() => jsonProblems(text), [text]);
  const shown = useMemo(() => (problems.length ? text : prettyJson(text)), [text, problems]);
  const first = problems[0];
  return (
    <>
      {first ? (
        <p class="bad json-error" role="alert">
          Not valid JSON — line {first.line}, column {first.column}: {first.message}
        </p>
      ) : null}
      <pre class="code json">
        {shown.length > HIGHLIGHT_LIMIT ? shown : <Tokens tokens={highlight(shown, first)} />}
      </pre>
    </>
  );
}

export function Tokens({ tokens }: { tokens: Token[] }) {
  return (
    <>
      {tokens.map((t, i) =>
        t.kind === 'space' && !t.wrong ? (
          t.text
        ) : (
          <span key={i} class={`t-${t.kind}${t.wrong ? ' t-wrong' : ''}`}>
            {t.text}
          </span>
        ),
      )}
    </>
  );
}
