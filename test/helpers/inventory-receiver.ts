/** Starts test/fixture-apps/inventory_receiver.py (a stock-counting receiver in Python) on a free loopback port. */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export interface InventoryState {
  processed: number;
  duplicates_seen: number;
  stock: Record<string, number>;
  ids: string[];
}

export interface InventoryReceiver {
  url: string;
  state: () => Promise<InventoryState>;
  stop: () => Promise<void>;
}

/** `dedupe`: remember delivery ids, as the platform document asks; otherwise a duplicate counts twice. */
export async function startInventoryReceiver(secret: string, { dedupe = false } = {}): Promise<InventoryReceiver> {
  const script = fileURLToPath(new URL('../fixture-apps/inventory_receiver.py', import.meta.url));
  const child = execa('python3', [script, secret, ...(dedupe ? ['--dedupe'] : [])], { reject: false });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim()));
    void child.then((r) => reject(new Error(`inventory receiver exited (${r.exitCode}): ${r.stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    state: async () => (await fetch(url)).json() as Promise<InventoryState>,
    stop: async () => {
      child.kill();
      await child;
    },
  };
}
