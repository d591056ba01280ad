/**
 * A loopback TCP pass-through whose connections a test can cut, to make a real link drop. Given
 * several ports it is a tiny load balancer: each connection goes to the first target that
 * accepts, in order, so a killed target's clients land on the next one.
 */

import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Destroys every connection passing through (both directions), as a network drop would. */
  cutAll: () => void;
  /** Silently stops carrying bytes on the current connections (a half-open link); new ones still work. */
  freezeAll: () => void;
  close: () => Promise<void>;
}

export async function startTcpProxy(targetPorts: number | number[]): Promise<TcpProxy> {
  const targets = Array.isArray(targetPorts) ? targetPorts : [targetPorts];
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((inbound) => {
    inbound.pause();
    inbound.on('error', () => inbound.destroy());
    const tryTarget = (index: number) => {
      if (index >= targets.length || inbound.destroyed) return void inbound.destroy();
      const outbound = net.connect(targets[index]!, '127.0.0.1');
      outbound.once('error', () => tryTarget(index + 1));
      outbound.once('connect', () => {
        outbound.removeAllListeners('error');
        const pair: [net.Socket, net.Socket] = [inbound, outbound];
        pairs.add(pair);
        inbound.pipe(outbound).pipe(inbound);
        inbound.resume();
        const drop = () => {
          inbound.destroy();
          outbound.destroy();
          pairs.delete(pair);
        };
        inbound.on('error', drop).on('close', drop);
        outbound.on('error', drop).on('close', drop);
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  const freezeAll = () => {
    for (const [a, b] of pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
  };
  return {
    port: (server.address() as AddressInfo).port,
    cutAll,
    freezeAll,
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
