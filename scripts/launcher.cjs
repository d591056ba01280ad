#!/usr/bin/env node
// The installed command (dist/webhooks-cli.cjs, copied here by scripts/build.js). It runs the
// start-up bundle, dist/startup.cjs, from the V8 code cache the build made by running `--help`
// once: Node 20 compiles a CommonJS file afresh on every start, and compiling is a good part of
// what `--help` costs beyond `node -e 0`. A cache V8 does not accept (another Node version)
// is ignored and the file compiled as usual.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const vm = require('node:vm');

// Resolved, not only read: the start-up tests trace every file the program loads this way.
const file = require.resolve('./startup.cjs');
const cacheFile = `${file}.cache`;

// The bundle's `import()` of a command's module, done here: code compiled by vm has no module
// loader of its own (and Node 20 loses the one it is given when the code comes from a cache).
globalThis.__webhooksCliImport = (specifier) => import(specifier);

let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a build without it): compiled as usual.
}
const source = Module.wrap(readFileSync(file, 'utf8').replace(/^#!.*/, ''));
const script = new vm.Script(source, { filename: file, cachedData });
// Only scripts/build.js sets it, to make the cache from a run of `--help`.
if (process.env.WEBHOOKS_CLI_WRITE_CODE_CACHE === '1')
  process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
const startup = new Module(file, module);
startup.filename = file;
startup.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext()(startup.exports, Module.createRequire(file), startup, file, __dirname);
