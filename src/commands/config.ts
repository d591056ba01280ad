import type { CommandContext } from '../cli/context.js';
import { printJson, printLine } from '../cli/output.js';
import { formatTable } from '../format/display.js';
import { openSettingsFile } from '../config/config-store.js';
import { SETTINGS, type SettingName } from '../config/settings.js';
import { closestMatches } from '../core/events.js';
import { maskSecret } from '../core/redact.js';
import { EXIT_FAILED, EXIT_OK, UsageError, requireHttpUrl } from '../errors.js';

function requireKey(key: string): SettingName {
  if (key in SETTINGS) return key as SettingName;
  const near = closestMatches(key, Object.keys(SETTINGS), 1);
  throw new UsageError(`unknown setting "${key}"`, `${near.length ? `did you mean ${near[0]}? ` : ''}settings: ${Object.keys(SETTINGS).join(', ')}`);
}

function display(key: SettingName, value: string | undefined, showSecrets: boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  return SETTINGS[key].secret && !showSecrets ? maskSecret(value) : value;
}

export function configList(ctx: CommandContext, options: { showSecrets?: boolean }): void {
  const file = openSettingsFile(ctx.env);
  const entries = (Object.keys(SETTINGS) as SettingName[]).map((key) => ({
    key,
    value: display(key, file.get(key), options.showSecrets) ?? null,
    env: SETTINGS[key].env,
    description: SETTINGS[key].description,
  }));
  if (ctx.json) return printJson(ctx, { file: file.path, settings: entries });
  printLine(ctx, formatTable(['KEY', 'VALUE', 'ENV', 'DESCRIPTION'], entries.map((e) => [e.key, e.value ?? '-', e.env, e.description])));
  printLine(ctx, `\nstored in ${file.path}`);
}

export function configGet(ctx: CommandContext, key: string, options: { showSecrets?: boolean }): number {
  const name = requireKey(key);
  const value = display(name, openSettingsFile(ctx.env).get(name), options.showSecrets);
  if (ctx.json) printJson(ctx, { key: name, value: value ?? null });
  else if (value !== undefined) printLine(ctx, value);
  return value === undefined ? EXIT_FAILED : EXIT_OK;
}

export function configSet(ctx: CommandContext, key: string, value: string): void {
  const name = requireKey(key);
  if (name === 'api-url') requireHttpUrl(value, 'api-url', 'http://127.0.0.1:4010');
  openSettingsFile(ctx.env).set(name, value);
  if (ctx.json) printJson(ctx, { key: name, value: display(name, value, false) });
  else printLine(ctx, `${name} = ${display(name, value, false)}`);
}

export function configUnset(ctx: CommandContext, key: string): void {
  const name = requireKey(key);
  openSettingsFile(ctx.env).unset(name);
  if (ctx.json) printJson(ctx, { key: name, value: null });
  else printLine(ctx, `${name} unset`);
}
