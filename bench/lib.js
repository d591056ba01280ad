// Shared by the benchmark figures: child processes, bare servers, medians.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const BIN = fileURLToPath(new URL('../dist/webhooks-cli.cjs', import.meta.url));

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const made = [];
// The history figure alone writes close to a gigabyte: nothing is left behind.
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder, removed when the benchmark exits. */
export function tempDir(prefix = 'webhooks-cli-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Environment isolating a CLI run from the user's config. */
export function benchEnv(configDir, extra = {}) {
  const env = { ...process.env, WEBHOOKS_CONFIG_DIR: configDir, NO_COLOR: '1', ...extra };
  // Not CI, so the history figure gets the terminal UI (ink counts even an empty CI as CI).
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  return env;
}

/** Wall time of one synchronous run of `node args`, in ms. */
export function timeRun(args, env = process.env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/**
 * Starts a bare node:http server in its own process that reads each body and answers 200;
 * resolves with its URL. The baseline receiver of several figures.
 */
export function startBareServer() {
  const code = `
    const http = require('node:http');
    const server = http.createServer((req, res) => { req.on('data', () => {}); req.on('end', () => { res.writeHead(200); res.end('OK'); }); });
    server.keepAliveTimeout = 30000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d) =>
      resolve({ url: `http://127.0.0.1:${String(d).trim()}`, pid: child.pid, close: () => child.kill() }),
    );
    child.once('error', reject);
  });
}

/**
 * Starts `listen --no-tui` (built CLI) on a free port recording into `dbPath`, its lines going to
 * a file as a CI job's would; resolves once it accepts requests. `nodeArgs` go to node itself
 * (`--cpu-prof`), `args` to listen (`--no-inspect`); `stderr()` is what it has logged so far.
 */
export function startListen(dbPath, secret, { nodeArgs = [], args = [] } = {}) {
  const dir = tempDir();
  const lines = openSync(join(dir, 'listen.log'), 'w');
  const child = spawn(
    process.execPath,
    [...nodeArgs, BIN, 'listen', '--port', '0', '--secret', secret, '--no-tui', '--db', dbPath, ...args],
    { stdio: ['ignore', lines, 'pipe'], env: benchEnv(dir), cwd: dir },
  );
  closeSync(lines);
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (d) => {
      seen += d;
      const m = /listening on (http:\/\/\S+)/.exec(seen);
      if (m) resolve({ child, url: m[1], stderr: () => seen });
    });
    child.once('exit', (code) => reject(new Error(`listen exited ${code}: ${seen}`)));
  });
}

/** Sends SIGTERM and resolves with the exit code. */
export function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Peak resident memory of a running process (VmHWM), in MB. */
export function peakRssMb(pid) {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

export function row(figure, ours, baseline, unit, target, met, note) {
  return { figure, ours, baseline, unit, ratio: baseline ? ours / baseline : undefined, target, met, note };
}

/** How many received requests (`direction = 'in'`) the history at `dbPath` holds; 0 before it exists. */
export function receivedRows(dbPath) {
  if (!existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) AS n FROM deliveries WHERE direction = 'in'`).get().n;
  } finally {
    db.close();
  }
}
