// Preloaded with `node --require` in tests: prints every package a process loads to stderr, through
// require (the CommonJS start-up path) or import (everything else), so a test can prove that
// `--help` and `trigger` never load the heavy parts.
'use strict';
const Module = require('node:module');

const packageOf = (path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  const name = packageOf(file);
  if (name) process.stderr.write(`loaded-package: ${name}\n`);
  return file;
};

Module.register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
  if (m) process.stderr.write('loaded-package: ' + m[1] + '\\n');
  return result;
}`));
