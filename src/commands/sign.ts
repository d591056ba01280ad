import type { CommandContext } from '../cli/context.js';
import type { SignOptions, VerifyOptions } from '../cli/define-foundation.js';
import { readInput } from '../cli/input.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { abbreviateSignature, diagnose, sign } from '../core/signature.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { palette } from '../format/display.js';

/** An empty secret signs, but nothing real uses one: almost always an unset variable (`--secret $S`). */
function requireSecrets(secrets: readonly string[]): void {
  if (secrets.some((s) => s === ''))
    throw new UsageError('--secret is empty', 'check the variable you passed (e.g. --secret "$WEBHOOK_SECRET")');
}

export async function signCommand(ctx: CommandContext, options: SignOptions): Promise<void> {
  requireSecrets([options.secret]);
  const body = await readInput(ctx.stdin, options.payload, '--payload');
  const signature = sign(body, options.secret);
  if (ctx.json) return printJson(ctx, { signature, header: 'X-Webhook-Signature', bytes: body.length });
  printLine(ctx, signature);
}

export async function verifyCommand(ctx: CommandContext, options: VerifyOptions): Promise<number> {
  requireSecrets(options.secret);
  const body = await readInput(ctx.stdin, options.payload, '--payload');
  const result = diagnose(body, options.signature, options.secret);
  const show = (s: string) => (options.showSecret ? s : abbreviateSignature(s));
  if (ctx.json) {
    printJson(ctx, {
      valid: result.verification.valid,
      reason: result.verification.valid ? null : result.verification.reason,
      received: result.received ?? null,
      expected: result.expected.map(show),
      hints: result.hints,
      bytes: body.length,
    });
    return result.verification.valid ? EXIT_OK : EXIT_FAILED;
  }
  const c = palette(ctx.color);
  if (result.verification.valid) {
    printLine(
      ctx,
      `${c.green('✓ valid')} — matches secret #${result.verification.secretIndex + 1} over ${body.length} bytes`,
    );
    return EXIT_OK;
  }
  printLine(ctx, `${c.red('✗ invalid')} — ${result.verification.message}`);
  printLine(ctx, `  received: ${result.received ?? '(none)'}`);
  result.expected.forEach((e, i) =>
    printLine(ctx, `  expected: ${show(e)}${result.expected.length > 1 ? `  (secret #${i + 1})` : ''}`),
  );
  printLine(ctx, `  body:     ${body.length} bytes`);
  for (const hint of result.hints) logLine(ctx, `  hint: ${hint}`);
  return EXIT_FAILED;
}
