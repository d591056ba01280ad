#!/usr/bin/env node
import { readdirSync } from 'node:fs';
// `npm run bench`: every figure beside its baseline, measured in the same run, as a markdown table.
// Each module in bench/figures/ exports `default async ({ rounds }) => rows`, where a row is
// { figure, ours, baseline, unit, ratio, target, met, note }, or { details: [lines] } printed below the table.
import { build } from 'esbuild';

// The figures drive some modules directly; the sources are TypeScript, so bundle those first.
// dist-bench/ sits one folder below the root like dist/, so the bundle finds the package's files.
await build({
  absWorkingDir: new URL('..', import.meta.url).pathname,
  entryPoints: ['bench/internals.ts'],
  outfile: 'dist-bench/internals.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  logLevel: 'warning',
});

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const only = process.argv.slice(2);
const dir = new URL('./figures/', import.meta.url);
const rows = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  process.stderr.write(`bench: ${file}…\n`);
  const { default: measure } = await import(new URL(file, dir));
  rows.push(...(await measure({ rounds })));
}
const fmt = (n) => (typeof n === 'number' ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)) : String(n ?? ''));
console.log('| figure | ours | baseline | unit | ratio | target | met | note |');
console.log('|---|---|---|---|---|---|---|---|');
const details = rows.filter((r) => r.details).flatMap((r) => ['', ...r.details]);
for (const r of rows.filter((r) => !r.details))
  console.log(
    `| ${r.figure} | ${fmt(r.ours)} | ${fmt(r.baseline)} | ${r.unit} | ${fmt(r.ratio)} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'no'} | ${r.note ?? ''} |`,
  );
for (const line of details) console.log(line);
