/**
 * What every command gets from the global flags and the environment: where to print, whether a
 * person is watching, and the resolved settings. Commands take it as an argument, and it is built
 * from the streams and environment `main` was given (never from `process`), so tests run commands
 * in-process with captured output and either mode forced.
 */
import {
  isProfileName,
  PROFILE_ENV,
  readStoredSettings,
  resolveApiUrl,
  resolveDatabasePath,
  resolveSetting,
  type StoredSettings,
} from '../config/settings.js';
import { UsageError } from '../errors.js';
import type { GlobalOptions } from './main.js';
import type { SignalSource } from './stop-signal.js';

export type { GlobalOptions };

/** Where a command prints: the process's stream, or a test's capture. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/** The process's side of a run: bin/ passes the real ones, tests their own. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (a person may be watching). */
  isTTY: boolean;
  /** Stop requests (SIGINT, SIGTERM, SIGHUP from the entry; a test's own in-process). */
  signals: SignalSource;
}

export interface CommandContext {
  json: boolean;
  verbose: boolean;
  color: boolean;
  /** A person at a terminal: TUI, progress bars and prompts are allowed. */
  interactive: boolean;
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
  env: NodeJS.ProcessEnv;
  /** Stop requests: long-running commands drain and return when one comes (cli/stop-signal.ts). */
  signals: SignalSource;
  /** The stored settings file's values, read once for the command (`resolveSetting(name, flag, ctx)`). */
  storedSettings: StoredSettings;
  dbPath: string;
  apiUrl: string;
  token: string | undefined;
  /** The settings given as global flags (`config list` names them as the source). */
  settingFlags: { 'api-url'?: string; token?: string; db?: string };
}

/**
 * CI as ink judges it (its is-in-ci rule: the variable is set, to anything but "0" or "false"),
 * so the tool and ink never disagree about drawing a TUI: `CI=` counts as CI too.
 */
export function isInCi(env: NodeJS.ProcessEnv): boolean {
  const set = (key: string) => key in env && env[key] !== '0' && env[key] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** One decision for the whole tool: TUI on a real terminal, plain lines everywhere else. */
export function isInteractive(stdout: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stdout.isTTY) && !isInCi(env) && env.TERM !== 'dumb';
}

/**
 * Whether output is coloured, decided once here (the palette and the TUIs follow it, not chalk's
 * own reading of the process): `--no-color`, then NO_COLOR, then FORCE_COLOR (`0` or `false` turn
 * colour off, any other value on, as chalk reads it), then a terminal that is not `dumb`. An empty
 * variable counts as unset (no-color.org, force-color.org).
 */
export function isColorWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (flag === false || env.NO_COLOR) return false;
  if (env.FORCE_COLOR) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

export async function createContext(options: GlobalOptions, io: CliIo): Promise<CommandContext> {
  // --profile beats WEBHOOKS_PROFILE: set in this run's environment, every setting read sees it.
  const env = options.profile === undefined ? io.env : { ...io.env, [PROFILE_ENV]: options.profile };
  const profile = env[PROFILE_ENV];
  if (profile && !isProfileName(profile)) {
    throw new UsageError(
      `"${profile}" is not a profile name`,
      `use letters, digits, - and _ (${options.profile === undefined ? PROFILE_ENV : '--profile'})`,
    );
  }
  const color = isColorWanted(options.color, env, io.isTTY);
  const json = Boolean(options.json);
  const storedSettings = await readStoredSettings(env);
  const settings = { env, storedSettings };
  return {
    json,
    verbose: Boolean(options.verbose),
    color,
    interactive: !json && isInteractive({ isTTY: io.isTTY }, env),
    stdout: io.stdout,
    stderr: io.stderr,
    // Passed on unread (see src/bin.ts): most commands never touch standard input.
    get stdin() {
      return io.stdin;
    },
    env,
    signals: io.signals,
    storedSettings,
    dbPath: resolveDatabasePath(options.db, settings),
    apiUrl: resolveApiUrl(options.apiUrl, settings),
    token: resolveSetting('token', options.token, settings),
    settingFlags: { 'api-url': options.apiUrl, token: options.token, db: options.db },
  };
}
