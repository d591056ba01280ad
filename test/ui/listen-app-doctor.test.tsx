/**
 * The live view when a route's app rejects deliveries listen verified: the doctor's verdict lands
 * in the row's note once it is known (the row was drawn before), and in the detail view in full.
 */
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { replayThroughListener } from '../../src/delivery/replay-action.js';
import { type Listener, startListener } from '../../src/receiver/index.js';
import { ListenApp } from '../../src/ui/listen/ListenApp.js';
import { tempDir } from '../helpers/cli.js';
import { frameMatching, type } from '../helpers/ink.js';
import { deliverSigned } from '../helpers/listen.js';
import { type ReceiverProcess, startReceiverProcess } from '../helpers/receiver-process.js';

const SECRET = 'listen-secret';
let app: ReceiverProcess;
let listener: Listener;
beforeAll(async () => {
  // Its secret differs from listen's: listen verifies the delivery, the app rejects every one.
  app = await startReceiverProcess('reserialising-app.mjs', ['the-apps-own-secret']);
  listener = await startListener({
    dbPath: join(tempDir(), 'history.db'),
    port: 0,
    secrets: [SECRET],
    routes: [{ pattern: 'catalog.*', url: new URL(app.url) }],
  });
});
afterAll(async () => {
  await listener.close();
  await app.stop();
});

it("shows the doctor's verdict in the row's note and in the detail", async () => {
  const ui = render(
    <ListenApp listener={listener} verify replay={replayThroughListener(listener)} onQuit={() => {}} refreshMs={10} />,
  );
  await frameMatching(ui, 'waiting for webhooks');
  expect((await deliverSigned(listener, 'catalog.product.created', 'dlv_rejected', SECRET)).status).toBe(401);
  expect(await frameMatching(ui, /dlv_rejected/)).not.toMatch(/doctor:/);
  expect(await frameMatching(ui, /doctor: wrong-secret/, 20_000)).toMatch(
    /✓ +401 +catalog\.product\.created +dlv_rejected/,
  );
  await type(ui, '\r');
  expect(await frameMatching(ui, /doctor: wrong-secret: the receiver rejected all/)).toContain(
    'forwarded by route catalog.*',
  );
  ui.unmount();
});
