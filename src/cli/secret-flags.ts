/**
 * `--secret S`, `--secret -` and `--secret-file FILE`. A secret given on the command line can be
 * read by every user of the machine (`ps`, /proc/PID/cmdline) and lands in shell history; read
 * from standard input or a file it is seen by neither. Commands turn their flags into the secret
 * here, then resolve it as before (flag, else WEBHOOKS_SECRET, else `config set secret`).
 */
import { UsageError } from '../errors.js';
import type { CommandContext } from './context.js';
import { readInput } from './input.js';

export interface SecretFlags {
  /** `--secret`: the secret itself, or `-` for standard input; repeatable where several are taken. */
  secret?: string | string[];
  /** `--secret-file`: a file holding it (or them, one a line), or `-` for standard input. */
  secretFile?: string;
}

export interface SecretSources {
  /** Another flag reading standard input (`--payload -`), which a secret from it would collide with. */
  stdinTakenBy?: string;
}

/** An empty secret signs, but nothing real uses one: almost always an unset variable (`--secret $S`). */
export function requireSecrets(secrets: readonly string[]): void {
  if (secrets.some((s) => s === ''))
    throw new UsageError('--secret is empty', 'check the variable you passed (e.g. --secret "$WEBHOOK_SECRET")');
}

/** The one secret the flags give (`--secret`, `--secret -` or `--secret-file`), or undefined. */
export async function givenSecret(
  ctx: Pick<CommandContext, 'stdin'>,
  flags: SecretFlags,
  sources: SecretSources = {},
): Promise<string | undefined> {
  const given = [flags.secret].flat().filter((s): s is string => s !== undefined);
  if (given.length + (flags.secretFile === undefined ? 0 : 1) > 1)
    throw new UsageError('the secret is given twice', 'pass one of --secret S, --secret - and --secret-file FILE');
  if (flags.secretFile !== undefined)
    return withoutFinalLineBreak(await readSecretInput(ctx, flags.secretFile, '--secret-file', sources));
  if (given[0] === '-') return withoutFinalLineBreak(await readSecretInput(ctx, '-', '--secret', sources));
  return given[0];
}

/**
 * Every secret the flags give (for commands that take several, during a rotation): each
 * `--secret`, and one per line of `--secret -` or `--secret-file`. Undefined when none is given.
 */
export async function givenSecrets(
  ctx: Pick<CommandContext, 'stdin'>,
  flags: SecretFlags,
  sources: SecretSources = {},
): Promise<string[] | undefined> {
  const given = [flags.secret].flat().filter((s): s is string => s !== undefined);
  if (given.filter((s) => s === '-').length + (flags.secretFile === '-' ? 1 : 0) > 1)
    throw new UsageError('standard input is named twice for secrets', 'pass --secret - once');
  const secrets: string[] = [];
  for (const value of given)
    if (value === '-') secrets.push(...lines(await readSecretInput(ctx, '-', '--secret', sources), '--secret -'));
    else secrets.push(value);
  if (flags.secretFile !== undefined)
    secrets.push(
      ...lines(
        await readSecretInput(ctx, flags.secretFile, '--secret-file', sources),
        `--secret-file ${flags.secretFile}`,
      ),
    );
  return secrets.length ? secrets : undefined;
}

async function readSecretInput(
  ctx: Pick<CommandContext, 'stdin'>,
  source: string,
  flag: string,
  { stdinTakenBy }: SecretSources,
): Promise<string> {
  if (source === '-' && stdinTakenBy)
    throw new UsageError(
      `${flag} - and ${stdinTakenBy} - both read standard input`,
      `give one of them a file: --secret-file FILE, or ${stdinTakenBy} FILE`,
    );
  const text = (await readInput(ctx.stdin, source, flag)).toString('utf8');
  if (text.trim() === '')
    throw new UsageError(`${flag} ${source} gave no secret (it is empty)`, 'put the secret in it');
  return text;
}

/** One secret as a file or `echo` gives it: a final line break is not part of it. */
function withoutFinalLineBreak(text: string): string {
  return text.replace(/\r?\n$/, '');
}

function lines(text: string, what: string): string[] {
  const found = text.split(/\r?\n/).filter((line) => line !== '');
  if (found.length === 0) throw new UsageError(`${what} gave no secret`, 'put one secret a line in it');
  return found;
}
