import type { CommandContext } from '../cli/context.js';
import type { SignOptions, VerifyOptions } from '../cli/define-foundation.js';
import { readInput } from '../cli/input.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { givenSecret, givenSecrets, requireSecrets } from '../cli/secret-flags.js';
import { abbreviateSignature, diagnose, sign } from '../core/signature.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { palette } from '../format/display.js';

function payloadFromStdin(options: { payload: string }) {
  return { stdinTakenBy: options.payload === '-' ? '--payload' : undefined };
}

function noSecret(purpose: string): UsageError {
  return new UsageError(
    `no secret to ${purpose}`,
    'pass --secret S, or keep it out of ps and shell history with --secret-file FILE (or --secret - with --payload FILE)',
  );
}

export async function signCommand(ctx: CommandContext, options: SignOptions): Promise<void> {
  const secret = await givenSecret(ctx, options, payloadFromStdin(options));
  if (secret === undefined) throw noSecret('sign with');
  requireSecrets([secret]);
  const body = await readInput(ctx.stdin, options.payload, '--payload');
  const signature = sign(body, secret);
  if (ctx.json) return printJson(ctx, { signature, header: 'X-Webhook-Signature', bytes: body.length });
  printLine(ctx, signature);
}

export async function verifyCommand(ctx: CommandContext, options: VerifyOptions): Promise<number> {
  const secrets = await givenSecrets(ctx, options, payloadFromStdin(options));
  if (secrets === undefined) throw noSecret('verify with');
  requireSecrets(secrets);
  const body = await readInput(ctx.stdin, options.payload, '--payload');
  const result = diagnose(body, options.signature, secrets);
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
