/** Two deliveries side by side as one diff: their headers, then their bodies (pretty JSON where both are JSON). */
import { useMemo } from 'preact/hooks';
import type { DetailJson } from '../inspector/wire.js';
import { type DiffRow, headerText, lineDiff } from './diff-lines.js';
import { fromBase64, hexDump, utf8Text } from './hex-dump.js';
import { prettyJson } from './json-text.js';

function bodyText(detail: DetailJson): string {
  const bytes = fromBase64(detail.body);
  const text = utf8Text(bytes);
  return text === undefined ? hexDump(bytes) : prettyJson(text);
}

export function DiffView({ a, b, onClose }: { a: DetailJson; b: DetailJson; onClose(): void }) {
  const headers = useMemo(() => lineDiff(headerText(a.requestHeaders), headerText(b.requestHeaders)), [a, b]);
  const bodies = useMemo(() => lineDiff(bodyText(a), bodyText(b)), [a, b]);
  const sameBytes = a.body === b.body;
  const label = (d: DetailJson) => `#${d.row.id} ${d.row.deliveryId ?? ''}`.trim();
  return (
    <div
      class="dialog diff"
      role="dialog"
      aria-modal="true"
      aria-label="compare two deliveries"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <header class="dialog-head">
        <h2>
          <span class="removed-text">− {label(a)}</span> <span class="added-text">+ {label(b)}</span>
        </h2>
        <button type="button" class="close" onClick={onClose} aria-label="close">
          ×
        </button>
      </header>
      <h3>Headers</h3>
      <DiffTable rows={headers} label="headers" />
      <h3>Body {sameBytes ? <span class="ok">— the same bytes</span> : null}</h3>
      <DiffTable rows={bodies} label="body" />
    </div>
  );
}

function DiffTable({ rows, label }: { rows: DiffRow[]; label: string }) {
  return (
    <pre class="code diff-lines" data-testid={`${label}-diff`}>
      {rows.map((row, i) => (
        <div key={i} class={`d-${row.kind}`}>
          {row.kind === 'added' ? '+ ' : row.kind === 'removed' ? '− ' : '  '}
          {row.text}
        </div>
      ))}
    </pre>
  );
}
