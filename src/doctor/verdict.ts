/**
 * The doctor's verdict from the answers its experiments got: which cause, a one-line summary
 * naming what the receiver does, and the fix in its own language and framework. Pure.
 */
import { isSuccessStatus } from '../core/http-status.js';
import type { CauseId, Experiment } from './experiments.js';
import type { JsonStack } from './json-stacks.js';

/** One experiment and what it got back. */
export interface Trial {
  experiment: Experiment;
  deliveryId: string;
  status: number | null;
  /** Why no answer came (refused, timed out), in words. */
  error?: string;
  /** The answer's Server / X-Powered-By, which may name the receiver's language. */
  server?: string;
}

export interface Diagnosis {
  verdict: 'ok' | 'broken' | 'unreachable';
  /** null when the receiver rejects for a reason that is not the signature (a 404, say). */
  cause: CauseId | null;
  summary: string;
  fix: string;
  /** Every request sent, in order. */
  tried: Trial[];
}

export interface Trials {
  baseline: Trial;
  /** Sent when the baseline was accepted. */
  acceptsAnything: Trial[];
  /** Sent when it was rejected; the run stops sending after the first accepted. */
  hypotheses: Trial[];
}

const accepted = (t: Trial) => t.status !== null && isSuccessStatus(t.status);

export function judge({ baseline, acceptsAnything, hypotheses }: Trials): Diagnosis {
  const tried = [baseline, ...acceptsAnything, ...hypotheses];
  const verdict = (cause: CauseId | null, summary: string, fix: string): Diagnosis => ({
    verdict: cause === 'ok' ? 'ok' : cause === 'unreachable' ? 'unreachable' : 'broken',
    cause,
    summary,
    fix,
    tried,
  });
  if (baseline.status === null)
    return verdict(
      'unreachable',
      `no answer from the receiver: ${baseline.error ?? 'no response'}`,
      'start the receiver, or point --url at it',
    );
  if (accepted(baseline)) {
    const lax = acceptsAnything.filter(accepted);
    if (lax.length === 0)
      return verdict(
        'ok',
        'the receiver verifies the raw bytes with --secret: it accepted the signed probe and rejected a wrong and a missing signature',
        'nothing to fix',
      );
    return verdict(
      'accepts-anything',
      `the receiver accepts ${lax.map((t) => t.experiment.label).join(' and ')}: it does not check the signature (or a catch-all answers ${lax[0]!.status} to everything)`,
      'verify X-Webhook-Signature before processing and answer 401 on a mismatch — outside any try/except that answers 200',
    );
  }
  const language = languageOf(baseline.server);
  const found = hypotheses.find(accepted);
  if (found) return verdict(found.experiment.hypothesis as CauseId, ...explain(found.experiment, language));
  const status = baseline.status;
  if (status === 404 || status === 405 || (status >= 300 && status < 400))
    return verdict(
      null,
      `the receiver answered ${status} to a correctly signed delivery: that is the route, not the signature`,
      status >= 300 && status < 400
        ? 'redirects are not followed: point --url at the final address'
        : 'check the path in --url, and that the route accepts POST',
    );
  const answered = [...new Set(tried.map((t) => t.status ?? t.error))].join(', ');
  return verdict(
    'wrong-secret',
    `the receiver rejected all ${tried.length} experiments (answered ${answered}): the raw body, ${hypotheses.filter((t) => t.experiment.stack).length} re-serialisations, the secret with whitespace${hypotheses.some((t) => t.experiment.hypothesis === 'secret-base64') ? ', base64-decoded' : ''}${hypotheses.some((t) => t.experiment.hypothesis === 'secret-prefix') ? ', without its prefix' : ''}, other signature formats and headers — it verifies with another secret than --secret`,
    'compare the secret the receiver is configured with (its environment variable or config file) with --secret: `webhooks-cli sign --secret S --payload body.json` prints the signature it should compute',
  );
}

type Language = 'python' | 'node' | 'php' | 'ruby' | 'go' | 'dotnet';

/** The language a Server or X-Powered-By header names, if any. */
export function languageOf(server: string | undefined): Language | undefined {
  if (!server) return undefined;
  if (/python|werkzeug|uvicorn|gunicorn|wsgi|hypercorn|daphne/i.test(server)) return 'python';
  if (/express|node|fastify|hono/i.test(server)) return 'node';
  if (/php/i.test(server)) return 'php';
  if (/ruby|webrick|puma|unicorn|thin|passenger/i.test(server)) return 'ruby';
  if (/kestrel|asp\.net/i.test(server)) return 'dotnet';
  if (/\bgo\b|golang/i.test(server)) return 'go';
  return undefined;
}

const RAW_BODY: Record<JsonStack, string> = {
  python:
    'HMAC the raw bytes before any json.loads: Flask request.get_data(), Django request.body, FastAPI await request.body()',
  'python-sorted':
    'HMAC the raw bytes before any json.loads: Flask request.get_data() (not flask.json.dumps(request.json)), Django request.body, FastAPI await request.body()',
  'python-compact':
    'HMAC the raw bytes before any json.loads: FastAPI await request.body() (not the parsed model), Flask request.get_data(), Django request.body',
  javascript:
    "HMAC the raw bytes: Express express.raw({ type: 'application/json' }) on this route, or the verify hook of express.json ((req, res, buf) => { req.rawBody = buf }); Fastify a content-type parser with parseAs: 'buffer'; Hono await c.req.text() before parsing",
  ruby: 'HMAC the raw bytes: Ruby request.body.read (Rails request.raw_post); Java/Spring take the body as @RequestBody byte[] and verify that before mapping it',
  php: "HMAC the raw bytes: $payload = file_get_contents('php://input') (Laravel $request->getContent()), then json_decode it",
  go: 'HMAC the raw bytes: body, err := io.ReadAll(r.Body) before decoding, then json.Unmarshal(body, &event)',
  dotnet:
    'HMAC the raw bytes: read Request.Body into a byte array (Request.EnableBuffering() first if the model binder needs it too), verify, then deserialise',
};

function explain(experiment: Experiment, language: Language | undefined): [string, string] {
  const label = experiment.label;
  if (experiment.stack)
    return [`your receiver computes the HMAC over ${label}, not the raw body`, RAW_BODY[experiment.stack]];
  switch (experiment.hypothesis) {
    case 'body-decoded-latin1':
      return [
        `your receiver computes the HMAC over ${label}: every non-ASCII byte of the body is counted twice`,
        language === 'python'
          ? 'HMAC the bytes as received (request.get_data(), request.body) — never body.decode("latin-1").encode()'
          : language === 'node'
            ? "HMAC the Buffer as received — no req.setEncoding('latin1') or 'binary', no string concatenation of chunks"
            : 'HMAC the body bytes as received, and encode nothing: the platform signs the UTF-8 bytes it sends',
      ];
    case 'body-trimmed':
      return [
        `your receiver computes the HMAC over ${label}: the whitespace is part of what was signed`,
        'HMAC the body untouched: no trim()/strip() before verifying',
      ];
    case 'secret-whitespace':
      return [`your receiver verifies with ${label}`, secretFix(language)];
    case 'secret-base64':
      return [
        `your receiver uses ${label} as the HMAC key; the platform's key is the secret's own UTF-8 bytes`,
        'key the HMAC with the secret string as it is (UTF-8), not base64-decoded — a Standard Webhooks or Svix library verifies another scheme',
      ];
    case 'secret-prefix':
      return [
        `your receiver verifies with ${label}; the platform signs with the whole secret`,
        'key the HMAC with the whole secret, "whsec_" included',
      ];
    case 'signature-no-prefix':
      return [
        'your receiver compares the bare hex digest; X-Webhook-Signature is "sha256=" and the hex digest',
        "compare with 'sha256=' + the hex digest (or strip the prefix from the header first)",
      ];
    case 'signature-base64':
      return [
        `your receiver expects ${label}; the platform sends the lower-case hex digest after "sha256="`,
        "use the hex digest (Python hexdigest(), Node digest('hex'), PHP hash_hmac('sha256', …), Go hex.EncodeToString) with the 'sha256=' prefix",
      ];
    case 'signature-header':
      return [
        `your receiver reads ${label.replace(/^the signature in /, '')}; the platform sends X-Webhook-Signature`,
        'read the X-Webhook-Signature header',
      ];
    default:
      return [`your receiver accepts ${label}`, 'verify the raw body with the secret as given'];
  }
}

function secretFix(language: Language | undefined): string {
  switch (language) {
    case 'python':
      return "strip the secret where it is read: open(path).read().strip(), os.environ['WEBHOOK_SECRET'].strip()";
    case 'node':
      return "trim the secret where it is read: fs.readFileSync(path, 'utf8').trim(), process.env.WEBHOOK_SECRET.trim()";
    case 'php':
      return "trim the secret where it is read: trim(file_get_contents($path)), trim(getenv('WEBHOOK_SECRET'))";
    case 'ruby':
      return "strip the secret where it is read: File.read(path).strip, ENV['WEBHOOK_SECRET'].strip";
    case 'go':
      return 'trim the secret where it is read: strings.TrimSpace(string(data))';
    default:
      return 'trim the secret where it is read (a file or variable often ends in a newline): Python .strip(), Node .trim(), PHP trim(), Go strings.TrimSpace, Ruby .strip';
  }
}
