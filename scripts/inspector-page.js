/**
 * The inspector's page (src/inspector-page/): one script and one stylesheet for the browser in
 * dist/inspector/, which only the inspector's server reads. Preact and the rest are bundled here,
 * so the page needs nothing from another origin and works offline.
 *
 * The page checks edited bodies against the event schemas as the user types. ajv compiles a
 * schema into a function with `new Function`, which the page's Content-Security-Policy forbids
 * (no eval), so the validators are compiled here, at build time, into plain code (ajv's
 * "standalone" output) that the page imports as `inspector-generated:event-validators`.
 */
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

/** The module source of every event type's validator: `export const validators = { [type]: fn }`. */
async function eventValidatorsModule(root) {
  const schemas = await build({
    absWorkingDir: root.pathname,
    stdin: {
      contents:
        "export { eventSchema } from './src/schemas/event-schemas.ts'; export { EVENT_TYPES } from './src/core/events.ts';",
      resolveDir: root.pathname,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'warning',
  });
  const { eventSchema, EVENT_TYPES } = await import(
    `data:text/javascript;base64,${Buffer.from(schemas.outputFiles[0].contents).toString('base64')}`
  );
  const { _ } = require('ajv');
  const Ajv2020 = require('ajv/dist/2020').default;
  const standaloneCode = require('ajv/dist/standalone').default;
  const addFormats = require('ajv-formats');
  // The same options as src/schemas/event-validator.ts, so both report the same errors.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv);
  const exports = {};
  EVENT_TYPES.forEach((type, i) => {
    const schema = eventSchema(type);
    ajv.addSchema(schema);
    exports[`v${i}`] = schema.$id;
  });
  const code = standaloneCode(ajv, exports);
  const table = EVENT_TYPES.map((type, i) => `${JSON.stringify(type)}: v${i}`).join(', ');
  return `${code}\nexport const validators = { ${table} };\n`;
}

/** Builds the page into `outdir` (a URL); returns esbuild's metafile. */
export async function buildInspectorPage(root, outdir) {
  const validators = await eventValidatorsModule(root);
  const generated = {
    name: 'inspector-generated',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^inspector-generated:event-validators$/ }, (args) => ({
        path: args.path,
        namespace: 'inspector-generated',
      }));
      esbuild.onLoad({ filter: /.*/, namespace: 'inspector-generated' }, () => ({
        contents: validators,
        loader: 'js',
        resolveDir: root.pathname,
      }));
    },
  };
  const result = await build({
    absWorkingDir: root.pathname,
    entryPoints: { inspector: 'src/inspector-page/main.tsx' },
    outdir: outdir.pathname,
    // The schema validators are most of the page's weight: a chunk loaded when first needed.
    splitting: true,
    chunkNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [generated],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return result.metafile;
}
