import { describe, expect, it } from 'vitest';
import { missingNativeModule } from '../../src/store/native-module.js';

/** dlopen's words for a module built for another Node.js (the loader's message, as Node 22 gives it). */
function dlopenError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_DLOPEN_FAILED' });
}

describe('missingNativeModule', () => {
  it('names the two module versions when the build is for another Node.js', () => {
    const err = missingNativeModule(
      dlopenError(
        "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
      ),
    );
    expect(err?.message).toBe(
      `the SQLite module better-sqlite3 has a native module built for another Node.js (module version 115; Node.js ${process.version} needs 127)`,
    );
    expect(err?.hint).toMatch(/^run `npm rebuild better-sqlite3` in \/\S+ to build it/);
  });

  it('leaves every other error alone', () => {
    expect(missingNativeModule(new Error('SQLITE_CANTOPEN: unable to open database file'))).toBeUndefined();
    expect(missingNativeModule(dlopenError('/other/addon.node: invalid ELF header'))).toBeUndefined();
    expect(missingNativeModule(undefined)).toBeUndefined();
  });
});
