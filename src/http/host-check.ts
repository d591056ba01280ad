/**
 * The `Host` checks of the tool's local HTTP surfaces against DNS rebinding: a page on another
 * site can make a name of its own resolve to 127.0.0.1 and then read a loopback server's answers as
 * its own origin; what it cannot change is the `Host` header, which carries its name.
 *
 * - The inspector answers only the exact addresses it is served on (`allowedHosts`, `hostAllowed`).
 * - The `serve` emulator, bound to loopback, answers only loopback names (`isAllowedHost`); bound
 *   elsewhere (`--host 0.0.0.0`) it is meant to be reached under names this machine cannot know,
 *   and guards itself with `--token`. `listen`'s webhook endpoint takes any Host by design: a
 *   relay or a tunnel passes the public name on.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { isLoopbackHost } from '../core/http-url.js';

/**
 * The `Host` values a server bound to `bindHost`:`port` answers: the bound address itself and,
 * on loopback, `localhost` and the other loopback spellings; bound to every interface (`0.0.0.0`,
 * `::`), each interface's address too. Lower-case, with the port.
 */
export function allowedHosts(bindHost: string, port: number, interfaces = networkInterfaces()): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => names.add(`${isIP(name) === 6 ? `[${name}]` : name}:${port}`.toLowerCase());
  const bare = bindHost.replace(/^\[|\]$/g, '');
  add(bare);
  if (isLoopbackHost(bare) || bare === '0.0.0.0' || bare === '::') {
    for (const name of ['localhost', '127.0.0.1', '::1']) add(name);
  }
  if (bare === '0.0.0.0' || bare === '::') {
    for (const address of Object.values(interfaces).flat()) if (address) add(address.address);
  }
  return names;
}

/** Whether a request's `Host` header names one of `allowed` (see `allowedHosts`). */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  return header !== undefined && allowed.has(header.trim().toLowerCase());
}

/** The name part of a Host header value (`127.0.0.1:4010` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/**
 * Whether a server bound to `bindHost` should answer a request whose Host header is `header`:
 * always when bound beyond loopback; otherwise only for a loopback name or address, or a name the
 * user allowed (`serve --allow-host`: an alias, a proxy's name for it). A request without Host,
 * which no browser sends, is answered.
 */
export function isAllowedHost(
  header: string | string[] | undefined,
  bindHost: string,
  allowed: readonly string[] = [],
): boolean {
  if (!isLoopbackHost(bindHost)) return true;
  if (header === undefined) return true;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return false;
  // `localhost.` and `127.0.0.1.` are the same names, written fully qualified.
  const name = hostName(value).replace(/\.$/, '');
  return isLoopbackHost(name) || allowed.some((host) => host.toLowerCase() === name);
}

/** The one-line reason a refused request gets, naming the fix. */
export function hostRefusal(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return `Host "${(value ?? '').slice(0, 100)}" is not this machine's loopback address: this local server answers only requests for 127.0.0.1, localhost or [::1] (a page elsewhere could otherwise reach it through DNS rebinding); allow a name of yours with --allow-host NAME`;
}
