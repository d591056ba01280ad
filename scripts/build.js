/**
 * Builds the installed program: one esbuild bundle of src/bin.ts in dist/, split into chunks so
 * each command's heavy parts (ink, SQLite, ws, ajv, undici…) load only when that command runs.
 * Every dependency is bundled except the native better-sqlite3 and optional modules the bundled
 * ones look for at run time (and cope without), so an install fetches better-sqlite3 alone: the
 * package's other libraries are devDependencies.
 *
 *   node scripts/build.js           the bundle in dist/ (and dist/meta.json: which sources each file holds)
 */

import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);

// conf checks the settings file against a JSON schema only when given one, and ours has none: its
// imports of ajv resolve to a stand-in, so a command that reads the settings (trigger) does not
// load a schema validator. ajv itself stays in the bundle for the commands that validate events.
const confWithoutSchemas = {
  name: 'conf-without-schemas',
  setup(build) {
    build.onResolve({ filter: /^ajv(-formats)?(\/|$)/ }, ({ path, importer }) =>
      /[\\/]node_modules[\\/]conf[\\/]/.test(importer) ? { path, namespace: 'conf-without-schemas' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'conf-without-schemas' }, () => ({
      contents: `const none = () => { throw new Error('conf was given a schema, but scripts/build.js leaves its validator out'); };
export class Ajv2020 { constructor() { none(); } }
export default { default: none };`,
      loader: 'js',
    }));
  },
};

const dist = new URL('dist/', root);

rmSync(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root.pathname,
  entryPoints: { 'webhooks-cli': 'src/bin.ts' },
  outdir: 'dist',
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
  ],
  // React's production build for the TUIs, whatever the shell says: the development build records
  // every render for profiling tools, and a live view with thousands of updates a second grows to
  // gigabytes within a minute.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS packages call require() for Node's own modules; ES modules have none.
  banner: {
    js: "import { createRequire as __webhooksCliRequire } from 'node:module';\nconst require = __webhooksCliRequire(import.meta.url);",
  },
  plugins: [confWithoutSchemas],
  metafile: true,
  legalComments: 'none',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});
chmodSync(new URL('webhooks-cli.js', dist), 0o755);
writeFileSync(new URL('meta.json', dist), JSON.stringify(result.metafile));

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
