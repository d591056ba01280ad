/**
 * Builds the installed program in dist/, in two parts that share nothing but values:
 *
 * - `dist/startup.cjs`, the start-up path: src/bin.ts, the command table and commander, in
 *   one CommonJS file, which `dist/webhooks-cli.cjs` (scripts/launcher.cjs) runs from a V8 code
 *   cache made here. Node loads it faster than the same code as ES modules (about a fifth of
 *   `--help`'s time; `npm run bench` measures start-up against `node -e 0`).
 * - Everything a command does: the modules the command table imports with `import()` (each
 *   command, the context, the error taxonomy) as one ES-module build, split into chunks so each
 *   command's heavy parts (ink, SQLite, ws, ajv, undici…) load only when that command runs.
 *
 * Every dependency is bundled except the native better-sqlite3 and the optional modules bundled
 * packages look for at run time (and cope without), so an install fetches better-sqlite3 alone:
 * the package's other libraries are devDependencies. The
 * `events types` module is generated here too, and the inspector's page (dist/inspector/). dist/meta.json says which sources and packages
 * each output file holds (the start-up tests read it).
 *
 *   node scripts/build.js
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';
import { buildInspectorPage } from './inspector-page.js';

const root = new URL('../', import.meta.url);
// Built beside dist/ and swapped in at the end, so a CLI spawned meanwhile (a test run in the same
// tree) finds a whole build, old or new, never half of one.
const staging = new URL(`dist-${process.pid}/`, root);
rmSync(staging, { recursive: true, force: true });

// conf checks the settings file against a JSON schema only when given one, and ours has none: its
// imports of ajv resolve to a stand-in, so a command that reads the settings (trigger) does not
// load a schema validator. ajv itself stays in the bundle for the commands that validate events.
const confWithoutSchemas = {
  name: 'conf-without-schemas',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^ajv(-formats)?(\/|$)/ }, ({ path, importer }) =>
      /[\\/]node_modules[\\/]conf[\\/]/.test(importer) ? { path, namespace: 'conf-without-schemas' } : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'conf-without-schemas' }, () => ({
      contents: `const none = () => { throw new Error('conf was given a schema, but scripts/build.js leaves its validator out'); };
export class Ajv2020 { constructor() { none(); } }
export default { default: none };`,
      loader: 'js',
    }));
  },
};

const common = {
  absWorkingDir: root.pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

// The start-up path. Each `import()` of the command table becomes an import of the command
// build's file of the same name, so the two builds never hold two copies of one module that
// has state or classes (errors.ts, the context); the few plain values both need are copied.
const commandModules = new Set();
const commandsLoadedLater = {
  name: 'commands-loaded-later',
  setup(esbuild) {
    esbuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return null;
      const source = new URL(args.path.replace(/\.js$/, '.ts'), `file://${args.resolveDir}/`).pathname;
      commandModules.add(source);
      return { path: `./${basename(source, '.ts')}.js`, external: true };
    });
    // commander loads child_process for executable subcommands, which this program has none of:
    // load it only if asked, and keep its start-up cost out of every run.
    esbuild.onResolve({ filter: /^(node:)?child_process$/ }, () => ({ path: 'lazy-child-process', namespace: 'lazy' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};
const startup = await build({
  ...common,
  entryPoints: ['src/bin.ts'],
  outfile: new URL('startup.cjs', staging).pathname,
  format: 'cjs',
  plugins: [commandsLoadedLater],
  // CommonJS has no import.meta: src/package-files.ts finds the package from the file's own URL.
  define: { 'import.meta.url': '__webhooksCliUrl' },
  banner: { js: "const __webhooksCliUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The command itself runs startup.cjs from a code cache (scripts/launcher.cjs, made below), where
// `import()` is the launcher's: each command's import goes through it.
const startupFile = new URL('startup.cjs', staging);
const startupCode = readFileSync(startupFile, 'utf8');
const launched = startupCode.replaceAll('import("./', '__webhooksCliImport("./');
if (/\bimport\(/.test(launched)) throw new Error('startup.cjs has an import() the launcher would not do');
writeFileSync(startupFile, launched);
copyFileSync(new URL('launcher.cjs', import.meta.url), new URL('webhooks-cli.cjs', staging));
chmodSync(new URL('webhooks-cli.cjs', staging), 0o755);

const commands = await build({
  ...common,
  entryPoints: [...commandModules],
  outdir: staging.pathname,
  // Every file directly in dist/, named as the start-up file imports it, so
  // src/package-files.ts finds the package root one folder up from any of them.
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  splitting: true,
  format: 'esm',
  plugins: [confWithoutSchemas],
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
});

// The inspector's page, for the browser: read by the inspector's server alone (scripts/inspector-page.js).
const page = await buildInspectorPage(root, new URL('inspector/', staging));

// Named as the files will be once dist/ is swapped in: the outputs and what each imports.
const asSwapped = (path) => path.replace(/^dist-\d+\//, 'dist/');
const outputs = Object.fromEntries(
  [startup.metafile, commands.metafile, page]
    .flatMap((metafile) => Object.entries(metafile.outputs))
    .map(([path, output]) => [
      asSwapped(path),
      { ...output, imports: output.imports?.map((i) => ({ ...i, path: asSwapped(i.path) })) },
    ]),
);
writeFileSync(new URL('meta.json', staging), JSON.stringify({ outputs }));

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
const generatorFile = new URL('typescript-types.mjs', staging);
writeFileSync(generatorFile, generator.outputFiles[0].contents);
const { typescriptModule } = await import(generatorFile.href);
writeFileSync(new URL('webhook-events.ts', staging), await typescriptModule());
rmSync(generatorFile);

// V8's code cache of the start-up bundle, from one run of `--help` (what it compiled, lazily too).
const cached = spawnSync(process.execPath, [new URL('webhooks-cli.cjs', staging).pathname, '--help'], {
  env: { ...process.env, WEBHOOKS_CLI_WRITE_CODE_CACHE: '1' },
  stdio: 'ignore',
});
if (cached.status !== 0) throw new Error(`the start-up code cache was not made: --help exited ${cached.status}`);

const dist = new URL('dist/', root);
const old = new URL(`dist-old-${process.pid}/`, root);
try {
  renameSync(dist, old);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
