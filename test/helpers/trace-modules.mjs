// Preloaded with `node --import` in tests: prints every package a process loads to stderr,
// so a test can prove `--help` and `trigger` never load the heavy parts.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
  if (m) process.stderr.write('loaded-package: ' + m[1] + '\\n');
  return result;
}`));
