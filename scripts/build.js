/**
 * Builds the installed program: one esbuild bundle of src/bin.ts in dist/, split into chunks so
 * each command's heavy parts (ink, SQLite, ws, ajv, undici…) load only when that command runs.
 * Every dependency is bundled except the native better-sqlite3 and optional modules the bundled
 * ones look for at run time, so an install needs almost nothing from the registry.
 *
 *   node scripts/build.js           the bundle in dist/ (and dist/meta.json: which sources each file holds)
 */

import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
// Built beside dist/ and swapped in at the end, so a CLI spawned meanwhile (a test run in the same
// tree) finds a whole build, old or new, never half of one.
const dist = new URL(`dist-${process.pid}/`, root);

rmSync(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root.pathname,
  entryPoints: { 'webhooks-cli': 'src/bin.ts' },
  outdir: dist.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Every chunk directly in dist/, so src/package-files.ts finds the package root one folder up.
  chunkNames: '[name]-[hash]',
  external: [
    'better-sqlite3', // a native module: installed and built for the user's Node
    'bufferutil',
    'utf-8-validate', // ws's optional native speed-ups
    'react-devtools-core', // ink's, only with DEV=true
    '@opentelemetry/api', // prom-client's optional tracing
  ],
  // React's production build for the TUIs, whatever the shell says: the development build records
  // every render for profiling tools, and a live view with thousands of updates a second grows to
  // gigabytes within a minute.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS packages call require() for Node's own modules; ES modules have none.
  banner: {
    js: "import { createRequire as __webhooksCliRequire } from 'node:module';\nconst require = __webhooksCliRequire(import.meta.url);",
  },
  metafile: true,
  legalComments: 'none',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});
chmodSync(new URL('webhooks-cli.js', dist), 0o755);
// Named as the files will be once dist/ is swapped in.
const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([path, output]) => [path.replace(/^dist-\d+\//, 'dist/'), output]));
writeFileSync(new URL('meta.json', dist), JSON.stringify({ ...result.metafile, outputs }));

// `events types --lang typescript` depends only on the schemas: generate its module now and ship
// the file, so json-schema-to-typescript (and the prettier it brings) stays a build-time tool.
const generator = await build({
  absWorkingDir: root.pathname,
  entryPoints: ['src/schemas/typescript-types.ts'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  write: false,
  logLevel: 'warning',
});
const generatorFile = new URL('typescript-types.mjs', dist);
writeFileSync(generatorFile, generator.outputFiles[0].contents);
const { typescriptModule } = await import(generatorFile.href);
writeFileSync(new URL('webhook-events.ts', dist), await typescriptModule());
rmSync(generatorFile);

const final = new URL('dist/', root);
const old = new URL(`dist-old-${process.pid}/`, root);
try {
  renameSync(final, old);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
renameSync(dist, final);
rmSync(old, { recursive: true, force: true });
