import type { CommandContext } from '../cli/context.js';
import type { ConfigGetOptions, ConfigListOptions } from '../cli/define-foundation.js';
import { printJson, printLine } from '../cli/output.js';
import { openSettingsFile } from '../config/config-store.js';
import { configFilePath, defaultDatabasePath } from '../config/paths.js';
import {
  chosenProfile,
  DEFAULT_API_URL,
  DEFAULT_PROFILE,
  resolveSettingWithSource,
  SETTINGS,
  type SettingName,
  storedProfiles,
} from '../config/settings.js';
import { closestMatches } from '../core/events.js';
import { maskSecret } from '../core/redact.js';
import { EXIT_FAILED, EXIT_OK, requireHttpUrl, UsageError } from '../errors.js';
import { formatTable } from '../format/display.js';

function requireKey(key: string): SettingName {
  if (key in SETTINGS) return key as SettingName;
  const near = closestMatches(key, Object.keys(SETTINGS), 1);
  throw new UsageError(
    `unknown setting "${key}"`,
    `${near.length ? `did you mean ${near[0]}? ` : ''}settings: ${Object.keys(SETTINGS).join(', ')}`,
  );
}

function display(key: SettingName, value: string | undefined, showSecrets: boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  return SETTINGS[key].secret && !showSecrets ? maskSecret(value) : value;
}

const BUILT_IN: Partial<Record<SettingName, (env: NodeJS.ProcessEnv) => string>> = {
  'api-url': () => DEFAULT_API_URL,
  db: defaultDatabasePath,
};

/** Each setting's effective value and where it came from: flag, env VAR, profile NAME, default profile, built-in. */
function effectiveSettings(ctx: CommandContext, showSecrets: boolean | undefined) {
  const profile = chosenProfile(ctx.env);
  return (Object.keys(SETTINGS) as SettingName[]).map((key) => {
    // Only the global flags can set a value here; `--secret` and `--relay-key` belong to single commands.
    const flag = (ctx.settingFlags as Partial<Record<SettingName, string>>)[key];
    const resolved = resolveSettingWithSource(key, flag, ctx.env);
    const builtIn = BUILT_IN[key]?.(ctx.env);
    const source = !resolved
      ? builtIn === undefined
        ? 'unset'
        : 'built-in default'
      : resolved.source === 'flag'
        ? `flag --${key}`
        : resolved.source === 'env'
          ? `env ${SETTINGS[key].env}`
          : resolved.source === 'profile'
            ? `profile ${profile}`
            : 'default profile';
    return {
      key,
      value: display(key, resolved?.value ?? builtIn, showSecrets) ?? null,
      source,
      env: SETTINGS[key].env,
      description: SETTINGS[key].description,
    };
  });
}

export function configList(ctx: CommandContext, options: ConfigListOptions): void {
  const profile = chosenProfile(ctx.env) ?? DEFAULT_PROFILE;
  const entries = effectiveSettings(ctx, options.showSecrets);
  if (ctx.json) return printJson(ctx, { file: configFilePath(ctx.env), profile, settings: entries });
  printLine(
    ctx,
    formatTable(
      ['KEY', 'VALUE', 'SOURCE', 'DESCRIPTION'],
      entries.map((e) => [e.key, e.value ?? '-', e.source, e.description]),
    ),
  );
  printLine(ctx, `\nprofile ${profile}, stored in ${configFilePath(ctx.env)}`);
}

/** The named profiles in the settings file, the default one first; the chosen one marked. */
export function configProfiles(ctx: CommandContext): void {
  const chosen = chosenProfile(ctx.env) ?? DEFAULT_PROFILE;
  const names = [DEFAULT_PROFILE, ...storedProfiles(ctx.env).filter((n) => n !== DEFAULT_PROFILE)];
  if (ctx.json) return printJson(ctx, { active: chosen, profiles: names });
  for (const name of names) printLine(ctx, `${name === chosen ? '*' : ' '} ${name}`);
}

export function configGet(ctx: CommandContext, key: string, options: ConfigGetOptions): number {
  const name = requireKey(key);
  const value = display(name, openSettingsFile(ctx.env, chosenProfile(ctx.env)).get(name), options.showSecrets);
  if (ctx.json) printJson(ctx, { key: name, value: value ?? null });
  else if (value !== undefined) printLine(ctx, value);
  return value === undefined ? EXIT_FAILED : EXIT_OK;
}

export function configSet(ctx: CommandContext, key: string, value: string): void {
  const name = requireKey(key);
  if (name === 'api-url') requireHttpUrl(value, 'api-url', 'http://127.0.0.1:4010');
  const profile = chosenProfile(ctx.env);
  openSettingsFile(ctx.env, profile).set(name, value);
  const where = profile ? ` (profile ${profile})` : '';
  if (ctx.json) printJson(ctx, { key: name, value: display(name, value, false), profile: profile ?? DEFAULT_PROFILE });
  else printLine(ctx, `${name} = ${display(name, value, false)}${where}`);
}

export function configUnset(ctx: CommandContext, key: string): void {
  const name = requireKey(key);
  const profile = chosenProfile(ctx.env);
  openSettingsFile(ctx.env, profile).unset(name);
  if (ctx.json) printJson(ctx, { key: name, value: null, profile: profile ?? DEFAULT_PROFILE });
  else printLine(ctx, `${name} unset${profile ? ` (profile ${profile})` : ''}`);
}
