/** The TUIs' `e` in a real terminal: the editor (a script here) gets the body, the edited copy is replayed. */

import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { listenUrlOnScreen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

let tmux: TmuxSession | undefined;
afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
});

describe.skipIf(skipWithout('tmux'))('e in the live view', () => {
  it('suspends for $EDITOR, replays the edited body signed afresh and links it to the original', async () => {
    const configDir = tempDir();
    const editor = join(tempDir(), 'edit.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/"quantity":[0-9]*/"quantity":7/' "$1"\n`);
    chmodSync(editor, 0o755);
    tmux = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION EDITOR=${editor} VISUAL= WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 '${process.execPath}' '${BIN}' listen --port 0 --secret s3cret; echo "EXITED $?"; sleep 20`,
    );
    const url = listenUrlOnScreen(await tmux.screenShowing(/waiting for webhooks/));
    const sent = await spawnCli(['trigger', 'catalog.product.updated', '--to', url, '--secret', 's3cret', '--json'], {
      configDir,
    });
    const original = (JSON.parse(sent.stdout) as { deliveries: Array<{ delivery_id: string }> }).deliveries[0]!
      .delivery_id;
    await tmux.screenShowing(/received 1 /);

    await tmux.press('e');
    await tmux.screenShowing(/replayed an edited dlv_\w+ as dlv_\w+ to http:\/\/127\.0\.0\.1:\d+\/webhook → 200/);
    // The edited copy arrives at this listener, verified, and is listed as the replay of the original.
    expect(await tmux.screenShowing(/received 2 /)).toMatch(/received 2 +✓ 2/);
    expect(await tmux.screenShowing(/↻ replay of/)).toContain(`↻ replay of ${original.slice(0, 12)}`);
    // The keys work again after the editor: q quits.
    await tmux.press('q');
    expect(await tmux.screenShowing(/EXITED/)).toContain('EXITED 0');

    const rows = JSON.parse(
      (await spawnCli(['history', '--json', '--direction', 'in'], { configDir })).stdout,
    ) as Array<{ delivery_id: string; signature_valid: boolean }>;
    const copy = rows.find((r) => r.delivery_id !== original)!;
    expect(copy.signature_valid).toBe(true);
    const shown = JSON.parse(
      (await spawnCli(['history', 'show', copy.delivery_id, '--json'], { configDir })).stdout,
    ) as { request_body: string };
    expect((JSON.parse(shown.request_body) as { data: { quantity: number } }).data.quantity).toBe(7);
    const out = JSON.parse(
      (await spawnCli(['history', '--json', '--direction', 'out'], { configDir })).stdout,
    ) as Array<{ source: string; replay_of: string }>;
    expect(out.find((r) => r.source === 'replay')).toMatchObject({ replay_of: original });
  });
});
