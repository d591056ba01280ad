/**
 * The `Host` check of the tool's local HTTP surfaces (the inspector; `serve` can take the same):
 * a browser page on another site can make a name of its own resolve to 127.0.0.1 (DNS
 * rebinding) and then read a loopback server's answers as its own origin. What it cannot change
 * is the `Host` header, which carries its name: answer only requests whose `Host` is an address
 * the server is really served on.
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
