// Preloaded with `node --import` in tests: prints every file of the bundle (and any package outside
// it) that the process loads to stderr, so a test can prove that `--help` and `trigger` never load
// the heavy parts (test/helpers/loaded-packages.ts maps the files to the packages they hold).
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:')) process.stderr.write('loaded-file: ' + result.url + '\\n');
  return result;
}`),
);
