import type { CommandContext } from '../cli/context.js';
import type { TriggerOptions } from '../cli/define-foundation.js';
import { noteProxyRoute } from '../cli/output.js';
import { givenSecret } from '../cli/secret-flags.js';
import { listenForStop, signalExitCode } from '../cli/stop-signal.js';
import { resolveSettingWithSource } from '../config/settings.js';
import { EVENT_TYPES } from '../core/events.js';
import { parseHeaderFlags } from '../core/extra-headers.js';
import { fixtureDeliveries, isFixtureDir } from '../delivery/fixtures.js';
import { chooseFaults, type FaultChoices, planFor, prepareScenarioOption } from '../delivery/trigger-choices.js';
import {
  envelopeEvent,
  type PreparedDelivery,
  prepareDelivery,
  refuseSchemaBreaks,
  sendDeliveries,
} from '../delivery/trigger-service.js';
import { EXIT_FAILED, EXIT_OK, requireHttpUrl, UsageError } from '../errors.js';
import { openHistorySpool } from '../store/delivery-spool.js';
import { USER_AGENT } from '../version.js';
import { parseOverrideFlags, readDataFlag, requireEventType } from './event-arguments.js';
import {
  reportDeliveries,
  reportInterrupted,
  reportSignatureRejected,
  signatureRejected,
  suggestSmoke,
  summariseFailure,
} from './trigger-output.js';

export async function triggerCommand(ctx: CommandContext, types: string[], options: TriggerOptions): Promise<number> {
  const choices = await chooseFaults(options, options.scenario !== undefined);
  if (options.scenario !== undefined) {
    const { prepared, name } = await prepareScenarioOption(options.scenario, { types, ...options }, choices.seed!);
    return send(ctx, prepared, options, { ...choices, scenario: name });
  }
  const fixtures =
    options.data !== undefined && isFixtureDir(options.data)
      ? fixtureDeliveries(options.data, { types, ...options })
      : undefined;
  const input = fixtures ? undefined : await readDataFlag(ctx, options.data);
  const raw = input?.raw;
  const data = input?.data;
  // A whole envelope in --data names its own event type; no need to repeat it.
  if (options.all && types.length)
    throw new UsageError(
      `--all sends every event type, so "${types.join(' ')}" would be ignored`,
      `drop --all to send ${types.length === 1 ? 'that one' : 'those'}, or drop the name${types.length === 1 ? '' : 's'}`,
    );
  const fromData = types.length === 0 && !options.all ? envelopeEvent(data) : undefined;
  const eventTypes = fixtures
    ? fixtures.map((f) => f.event)
    : options.all
      ? [...EVENT_TYPES]
      : fromData
        ? [fromData]
        : types;
  if (eventTypes.length === 0)
    throw new UsageError(
      'no event type given',
      'name one or more (webhooks-cli events list), or pass --all, or --scenario NAME',
    );
  eventTypes.forEach(requireEventType);
  const overrides = parseOverrideFlags(options.set);
  // Fixtures are recorded traffic, sent as recorded (a broken one may be the point); the rest is checked.
  const prepared =
    fixtures ??
    eventTypes.map((type) =>
      prepareDelivery(type, { overrides, data, raw, pretty: options.pretty, validate: options.validate }),
    );
  if (!fixtures && options.validate && (overrides.length > 0 || data !== undefined)) await refuseSchemaBreaks(prepared);
  return send(ctx, prepared, options, choices);
}

async function send(
  ctx: CommandContext,
  prepared: PreparedDelivery[],
  options: TriggerOptions,
  choices: FaultChoices,
): Promise<number> {
  const url = requireHttpUrl(options.to, '--to').href;
  const given = await givenSecret(ctx, options, { stdinTakenBy: options.data === '-' ? '--data' : undefined });
  const configured = options.unsigned ? undefined : resolveSettingWithSource('secret', given, ctx);
  const secret = configured?.value;
  if (!options.unsigned && !secret) {
    throw new UsageError(
      'no signing secret',
      'pass --secret, set WEBHOOKS_SECRET, run `webhooks-cli config set secret …`, or pass --unsigned',
    );
  }
  const extraHeaders = parseHeaderFlags(options.header, { unsigned: Boolean(options.unsigned) });
  if (options.count !== undefined || options.rate !== undefined || options.duration !== undefined) {
    const { sendLoad } = await import('./trigger-load.js');
    return sendLoad(ctx, prepared, { ...options, url, secret, extraHeaders }, choices);
  }
  noteProxyRoute(ctx, url);
  // Open the history spool before sending, so an unwritable --db is reported up front.
  const spool = openHistorySpool(ctx.dbPath);
  const plan = await planFor(choices, prepared.length);
  // Ctrl-C stops sending and waits briefly for answers; a second one stops waiting. Either way
  // every request sent is in the spool before the summary.
  const stop = listenForStop(ctx.signals, { again: true });
  let signal: NodeJS.Signals | undefined;
  void stop.received.then((s) => (signal = s));
  let run: Awaited<ReturnType<typeof sendDeliveries>>;
  try {
    run = await sendDeliveries(prepared, 1, {
      url,
      secret,
      timeoutMs: options.timeout,
      // One at a time: a simple receiver (one thread, like the platform document's example) then
      // answers each at once, and the history keeps the order sent.
      concurrency: 1,
      userAgent: USER_AGENT,
      record: (r) => spool.append(r),
      plan,
      interruption: { stop: stop.received, now: stop.again },
      extraHeaders,
      env: ctx.env,
    });
  } finally {
    spool.close();
    stop.dispose();
  }
  const { outcomes, interrupted } = run;
  // A run cut short is not a success, whatever the requests it made got back.
  const allOk = !interrupted && outcomes.every((o) => o.ok);
  // A rejected signature: find out why (--diagnose), or say how to.
  const rejected = !interrupted && secret !== undefined ? signatureRejected(outcomes) : undefined;
  const diagnosis =
    rejected && options.diagnose
      ? await diagnoseReceiver(ctx, { url, secret: secret!, event: rejected.event, timeoutMs: options.timeout })
      : undefined;
  reportDeliveries(ctx, outcomes, allOk, choices, interrupted, diagnosis);
  if (interrupted) {
    reportInterrupted(ctx, outcomes.length, prepared.length);
    return signalExitCode(signal ?? 'SIGINT');
  }
  if (!allOk) summariseFailure(ctx, outcomes, { unsigned: Boolean(options.unsigned), pretty: Boolean(options.pretty) });
  if (rejected) reportSignatureRejected(ctx, { url, event: rejected.event, secret: configured!, diagnosis });
  else if (allOk && options.all && !ctx.json)
    await suggestSmoke(ctx, url, options.secret !== undefined || options.secretFile !== undefined);
  return allOk ? EXIT_OK : EXIT_FAILED;
}

/** The doctor against the receiver, its requests in the history; loaded only for --diagnose. */
async function diagnoseReceiver(
  ctx: CommandContext,
  options: { url: string; secret: string; event: string; timeoutMs: number },
) {
  const { runDoctor } = await import('../doctor/doctor-run.js');
  const spool = openHistorySpool(ctx.dbPath);
  try {
    return await runDoctor({ ...options, userAgent: USER_AGENT, env: ctx.env, record: (r) => spool.append(r) });
  } finally {
    spool.close();
  }
}
