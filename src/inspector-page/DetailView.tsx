/**
 * One delivery in full: what it was and how it was answered, the signature verdict (expected
 * against received, with the likely causes), the schema, the route and the answer, the timings,
 * the doctor's diagnosis where the history has one, the headers and the body.
 */
import { useMemo } from 'preact/hooks';
import type { SchemaIssue } from '../core/schema-issue.js';
import type { DetailJson, InspectorInfo } from '../inspector/wire.js';
import type { HeaderMap } from '../store/delivery-record.js';
import { BodyView } from './BodyView.js';
import { formatMs, heldFor, rowView, statusClass } from './format.js';
import { fromBase64 } from './hex-dump.js';
import { useChecker } from './schema-check.js';

export interface DetailViewProps {
  detail: DetailJson;
  info: InspectorInfo | null;
  marked: boolean;
  onReplay(): void;
  onEdit(): void;
  onCurl(): void;
  onToggleMark(): void;
  onClose(): void;
}

export function DetailView({ detail, info, marked, onReplay, onEdit, onCurl, onToggleMark, onClose }: DetailViewProps) {
  const { row } = detail;
  const v = rowView(row);
  const received = row.direction === 'in';
  return (
    <article class="detail" aria-label="delivery detail">
      <header class="detail-head">
        <button type="button" class="back" onClick={onClose} aria-label="back to the list">
          ←
        </button>
        <div>
          <h2>{row.event ?? v.event}</h2>
          <p class="muted mono">
            {row.deliveryId ?? '(no delivery id)'} · #{row.id}
          </p>
        </div>
      </header>
      <div class="badges">
        <span class={`badge ${statusClass(row.status)}`}>{row.status ?? 'no answer'}</span>
        {row.signatureValid !== null ? (
          <span class={`badge ${row.signatureValid ? 'ok' : 'bad'}`}>signature {row.signatureValid ? '✓' : '✗'}</span>
        ) : null}
        {row.schemaValid === false ? <span class="badge bad">schema ✗</span> : null}
        {row.duplicate ? <span class="badge warn">duplicate</span> : null}
        {row.replayOf ? <span class="badge">replay of {row.replayOf}</span> : null}
        {v.route ? <span class="badge">{v.route}</span> : null}
        {v.held ? <span class="badge warn">{v.held}</span> : null}
      </div>
      <div class="actions">
        <button type="button" onClick={onReplay} disabled={!info?.canSign} title={info?.signHint ?? 'r'}>
          Replay <kbd>r</kbd>
        </button>
        <button type="button" onClick={onEdit} disabled={!info?.canSign} title={info?.signHint ?? 'e'}>
          Edit &amp; replay <kbd>e</kbd>
        </button>
        <button type="button" onClick={onCurl}>
          Copy as curl
        </button>
        <button type="button" onClick={onToggleMark} aria-pressed={marked}>
          {marked ? 'Marked' : 'Mark'} <kbd>x</kbd>
        </button>
      </div>

      <Section title="Overview">
        <dl class="facts">
          <dt>{received ? 'Received' : 'Sent'}</dt>
          <dd>
            {new Date(row.createdAt).toLocaleString()}{' '}
            <span class="muted">({new Date(row.createdAt).toISOString()})</span>
          </dd>
          <dt>Request</dt>
          <dd class="mono">
            {row.method} {row.url}
          </dd>
          {row.remoteAddress ? (
            <>
              <dt>From</dt>
              <dd class="mono">{row.remoteAddress}</dd>
            </>
          ) : null}
          <dt>Recorded by</dt>
          <dd>{row.source}</dd>
          <dt>Answered in</dt>
          <dd>{formatMs(row.durationMs)}</dd>
          {typeof row.heldMs === 'number' && row.heldMs > 0 ? (
            <>
              <dt>Held</dt>
              <dd>{heldFor(row.heldMs)} before it reached the app</dd>
            </>
          ) : null}
          {row.error ? (
            <>
              <dt>Error</dt>
              <dd class="bad">{row.error}</dd>
            </>
          ) : null}
        </dl>
      </Section>

      {detail.signature ? (
        <Section title="Signature">
          <p class={`verdict ${detail.signature.state}`} data-testid="signature-verdict">
            {detail.signature.state === 'valid' ? '✓ ' : detail.signature.state === 'invalid' ? '✗ ' : ''}
            {detail.signature.message}
            {detail.signature.secretNumber
              ? ` (secret #${detail.signature.secretNumber} of ${detail.signature.secretCount})`
              : ''}
          </p>
          <dl class="facts mono">
            <dt>received</dt>
            <dd class="sig-value">{detail.signature.received ?? '(none)'}</dd>
            {detail.signature.expected.map((expected, i) => (
              <>
                <dt>expected{detail.signature!.expected.length > 1 ? ` (secret #${i + 1})` : ''}</dt>
                <dd class="sig-value">{expected}</dd>
              </>
            ))}
          </dl>
          {detail.signature.hints.length ? (
            <ul class="hints">
              {detail.signature.hints.map((hint) => (
                <li key={hint}>{hint}</li>
              ))}
            </ul>
          ) : null}
        </Section>
      ) : null}

      <SchemaSection detail={detail} />

      {row.diagnosis !== undefined && row.diagnosis !== null ? (
        <Section title="Diagnosis">
          <Diagnosis value={row.diagnosis} />
        </Section>
      ) : null}

      {v.route || detail.responseHeaders || detail.responseBody ? (
        <Section title={row.route ? `Forwarded by ${row.route}: the app's answer` : 'Answer'}>
          {row.forwarded === false ? (
            <p class="muted">Not forwarded: no route matches its event; listen answered.</p>
          ) : null}
          <p>
            <span class={`badge ${statusClass(row.status)}`}>{row.status ?? 'no answer'}</span> in{' '}
            {formatMs(row.durationMs)}
          </p>
          {detail.responseHeaders ? <Headers headers={detail.responseHeaders} /> : null}
          {detail.responseBody ? <BodyView base64={detail.responseBody} label="answer body" /> : null}
        </Section>
      ) : null}

      <Section title="Request headers">
        <Headers headers={detail.requestHeaders} />
      </Section>
      <Section title="Body">
        <BodyView base64={detail.body} label="body" />
      </Section>
    </article>
  );
}

function Section({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <section class="section">
      <h3>{title}</h3>
      {children}
    </section>
  );
}

export function Headers({ headers }: { headers: HeaderMap }) {
  const entries = Object.entries(headers).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return <p class="muted">(none)</p>;
  return (
    <dl class="headers mono">
      {entries.map(([name, value]) => (
        <>
          <dt key={name}>{name}</dt>
          <dd>{Array.isArray(value) ? value.join(', ') : value}</dd>
        </>
      ))}
    </dl>
  );
}

/** The recorded verdict (`listen --validate`), or the page's own check when none was recorded. */
function SchemaSection({ detail }: { detail: DetailJson }) {
  const { row } = detail;
  const checkDelivery = useChecker();
  const checkedHere = useMemo(() => {
    if (detail.row.schemaValid === true || detail.row.schemaValid === false || !detail.body || !checkDelivery)
      return undefined;
    const headers = Object.fromEntries(Object.entries(detail.requestHeaders).map(([k, v]) => [k.toLowerCase(), v]));
    return checkDelivery(headers, fromBase64(detail.body));
  }, [detail, checkDelivery]);
  const recorded = row.schemaValid === true || row.schemaValid === false;
  const valid = recorded ? row.schemaValid : checkedHere?.valid;
  const issues = recorded ? (row.schemaErrors ?? []) : (checkedHere?.errors ?? []);
  if (valid === undefined) return null;
  return (
    <Section title="Schema">
      <p class={`verdict ${valid ? 'valid' : 'invalid'}`} data-testid="schema-verdict">
        {valid
          ? "✓ valid: the envelope and its event's schema"
          : `✗ ${issues.length} problem${issues.length === 1 ? '' : 's'}`}
        {recorded ? '' : <span class="muted checked-here"> — checked here (it was not checked when recorded)</span>}
      </p>
      <IssueList issues={issues} />
    </Section>
  );
}

export function IssueList({
  issues,
  onPick,
}: {
  issues: readonly SchemaIssue[];
  onPick?: (issue: SchemaIssue) => void;
}) {
  if (issues.length === 0) return null;
  return (
    <ul class="issues">
      {issues.map((issue) => (
        <li key={`${issue.path}|${issue.rule}|${issue.message}`}>
          {onPick ? (
            <button type="button" class="link mono" onClick={() => onPick(issue)}>
              {issue.path}
            </button>
          ) : (
            <span class="mono">{issue.path}</span>
          )}
          : {issue.message} <span class="muted">({issue.rule})</span>
        </li>
      ))}
    </ul>
  );
}

/** What `doctor` concluded for a delivery, as the history keeps it: words when it has them, else the data. */
function Diagnosis({ value }: { value: unknown }) {
  if (typeof value === 'string') return <p>{value}</p>;
  if (typeof value === 'object' && value !== null) {
    const { summary, fix, cause } = value as { summary?: unknown; fix?: unknown; cause?: unknown };
    if (typeof summary === 'string')
      return (
        <>
          <p>
            {summary}
            {typeof cause === 'string' ? <span class="muted"> ({cause})</span> : null}
          </p>
          {typeof fix === 'string' ? <p>Fix: {fix}</p> : null}
        </>
      );
  }
  return <pre class="code">{JSON.stringify(value, null, 2)}</pre>;
}
