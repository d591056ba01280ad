import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The start-up path is CommonJS (src/**\/*.cts, see src/cli/main.cts). Vite parses their TypeScript
 * as CommonJS and fails on `import`, so tests get the built files (npm test builds first), which
 * Node loads as they are.
 */
const builtCommonJs: Plugin = {
  name: 'built-commonjs',
  enforce: 'pre',
  resolveId(source, importer) {
    if (!source.endsWith('.cjs') || !importer) return null;
    const fromSrc = relative(join(root, 'src'), resolve(dirname(importer), source));
    if (fromSrc.startsWith('..')) return null;
    return { id: join(root, 'dist', fromSrc), external: true };
  },
};

export default defineConfig({
  plugins: [builtCommonJs],
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end tests spawn the CLI and servers; two cores do not like many at once.
    maxWorkers: 2,
  },
});
