/**
 * `replay --set`, `--data` and `--edit`: the body an edited replay sends instead of the recorded
 * one. `--set` uses trigger's override parser; `--data` and `--edit` give the bytes as written.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../core/json-depth.js';
import {
  applyOverrides,
  type Envelope,
  envelopeProblem,
  OverrideError,
  parseOverride,
  serialiseEnvelope,
} from '../core/payload.js';
import { UsageError, UserError } from '../errors.js';

/** The recorded body with `--set path=value` overrides applied, serialised once. */
export function bodyWithOverrides(original: Buffer, event: string, sets: readonly string[]): Buffer {
  const envelope = parseBody(
    original,
    'the recorded body',
    'replay it without --set, or give the body with --data FILE',
  );
  // A received body may nest thousands deep; cloning it for --set would overflow the stack.
  if (nestsDeeperThan(envelope))
    throw new UsageError(
      `the recorded body nests more than ${MAX_JSON_DEPTH} levels deep, too deep for --set`,
      'replay it without --set, or give the body with --data FILE',
    );
  try {
    const edited = applyOverrides(envelope as Envelope, sets.map(parseOverride));
    const problem = envelopeProblem(edited, event);
    if (problem) throw new UsageError(problem.message, problem.hint);
    return serialiseEnvelope(edited);
  } catch (err) {
    throw err instanceof OverrideError ? new UsageError(err.message, err.hint) : err;
  }
}

/** `--data FILE`'s bytes, unchanged, once they are known to be JSON. */
export function checkedBody(bytes: Buffer, source: string): Buffer {
  parseBody(bytes, `--data ${source}`, 'fix the JSON, or use --set path=value on the recorded body');
  return bytes;
}

export interface EditOptions {
  env: NodeJS.ProcessEnv;
  /** On a terminal an invalid edit re-opens the editor; otherwise it is refused. */
  interactive: boolean;
  /** The file's name hint: the delivery being edited. */
  label: string;
  /** Says why the editor opens again (on stderr). */
  warn: (line: string) => void;
}

/**
 * Opens `$VISUAL` or `$EDITOR` on the body (waiting for it to exit, without blocking: a listener
 * behind a TUI keeps answering) and returns the edited bytes.
 * Unchanged or empty aborts (a UserError); the final newline most editors add on saving does not
 * count as a change, and is dropped when the recorded body had none. Invalid JSON re-opens the
 * editor (quitting it again without a change aborts), or without a terminal is refused with one line.
 */
export async function editBody(original: Buffer, { env, interactive, label, warn }: EditOptions): Promise<Buffer> {
  const editor = env.VISUAL || env.EDITOR;
  if (!editor)
    throw new UsageError(
      '--edit needs an editor, and neither VISUAL nor EDITOR is set',
      'e.g. EDITOR=nano webhooks-cli replay … --edit, or use --set path=value',
    );
  const dir = mkdtempSync(join(tmpdir(), 'webhooks-replay-'));
  const file = join(dir, `${label.replace(/[^\w.-]/g, '_')}.json`);
  try {
    writeFileSync(file, original, { mode: 0o600 });
    let rejected: Buffer | undefined;
    for (;;) {
      // Through the shell, as git does, so EDITOR may carry arguments ("code --wait").
      const run = await runEditor(editor, file, env);
      if (run.error || run.status !== 0)
        throw new UserError(
          `replay aborted: the editor "${editor}" ${run.error ? `could not start (${run.error.message})` : `exited with ${run.status ?? run.signal}`}`,
          { hint: 'check VISUAL / EDITOR' },
        );
      const edited = withoutAddedNewline(readFileSync(file), original);
      if (edited.toString('utf8').trim() === '')
        throw new UserError('replay aborted: the edited body is empty', { hint: 'nothing was sent' });
      if (edited.equals(withoutAddedNewline(original, Buffer.alloc(0))))
        throw new UserError('replay aborted: the body was not changed', {
          hint: 'nothing was sent; replay without --edit to re-send it as it was',
        });
      const problem = jsonProblem(edited);
      if (!problem) return edited;
      if (!interactive)
        throw new UsageError(
          `the edited body is not valid JSON (${problem})`,
          'nothing was sent; fix the JSON and run the replay again',
        );
      // Quit again without fixing it: the user gave up on this edit.
      if (rejected && edited.equals(rejected))
        throw new UserError(`replay aborted: the edited body is still not valid JSON (${problem})`, {
          hint: 'nothing was sent',
        });
      rejected = edited;
      warn(`the edited body is not valid JSON (${problem}); opening it again`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `bytes` without the final newline an editor adds on saving, unless `original` ended with one too. */
function withoutAddedNewline(bytes: Buffer, original: Buffer): Buffer {
  const ending = (b: Buffer) => (b.subarray(-2).toString() === '\r\n' ? 2 : b.subarray(-1).toString() === '\n' ? 1 : 0);
  const cut = ending(bytes);
  return cut > 0 && ending(original) === 0 ? bytes.subarray(0, bytes.length - cut) : bytes;
}

function runEditor(
  editor: string,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(`${editor} "$WEBHOOKS_EDIT_FILE"`, {
      shell: true,
      stdio: 'inherit',
      env: { ...env, WEBHOOKS_EDIT_FILE: file },
    });
    child.on('error', (error) => resolve({ status: null, signal: null, error }));
    child.on('exit', (status, signal) => resolve({ status, signal }));
  });
}

function parseBody(bytes: Buffer, what: string, fix: string): unknown {
  const problem = jsonProblem(bytes);
  if (problem) throw new UsageError(`${what} is not valid JSON (${problem})`, fix);
  return JSON.parse(bytes.toString('utf8'));
}

function jsonProblem(bytes: Buffer): string | undefined {
  try {
    JSON.parse(bytes.toString('utf8'));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
