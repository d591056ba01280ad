// Preloaded with `node --import` in tests: prints every file the process loads from the package
// (the start-up file, the bundle's chunks, packages outside it such as better-sqlite3) to stderr,
// through import or require, so a test can prove that `--help` and `trigger` never load the heavy
// parts (test/helpers/loaded-packages.ts maps the files to the packages they hold).
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  if (file.startsWith('/')) process.stderr.write(`loaded-file: ${pathToFileURL(file).href}\n`);
  return file;
};

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:')) process.stderr.write('loaded-file: ' + result.url + '\\n');
  return result;
}`),
);
