/**
 * What every command gets from the global flags and the environment: where to print, whether a
 * person is watching, and the resolved settings. Commands take it as an argument so tests can
 * force either mode.
 */
import { resolveApiUrl, resolveDatabasePath, resolveSetting } from '../config/settings.js';

export interface GlobalOptions {
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  db?: string;
  apiUrl?: string;
  token?: string;
}

export interface CommandContext {
  json: boolean;
  verbose: boolean;
  color: boolean;
  /** A person at a terminal: TUI, progress bars and prompts are allowed. */
  interactive: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  dbPath: string;
  apiUrl: string;
  token: string | undefined;
}

/**
 * CI as ink judges it (its is-in-ci rule: the variable is set, to anything but "0" or "false"),
 * so the tool and ink never disagree about drawing a TUI: `CI=` counts as CI too.
 */
export function isInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (key: string) => key in env && env[key] !== '0' && env[key] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** One decision for the whole tool: TUI on a real terminal, plain lines everywhere else. */
export function isInteractive(stdout: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stdout.isTTY) && !isInCi(env) && env.TERM !== 'dumb';
}

export function createContext(options: GlobalOptions): CommandContext {
  const color = options.color !== false && !process.env.NO_COLOR && (Boolean(process.stdout.isTTY) || Boolean(process.env.FORCE_COLOR));
  const json = Boolean(options.json);
  return {
    json,
    verbose: Boolean(options.verbose),
    color,
    interactive: !json && isInteractive(),
    stdout: process.stdout,
    stderr: process.stderr,
    dbPath: resolveDatabasePath(options.db),
    apiUrl: resolveApiUrl(options.apiUrl),
    token: resolveSetting('token', options.token),
  };
}
