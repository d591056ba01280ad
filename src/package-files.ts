/**
 * Where the package's own files are (package.json, fixtures/, schemas/). This module sits directly
 * in src/ and every file of the bundle directly in dist/, so one folder up is the package root
 * both when the tests run the sources and when the installed bundle runs.
 */
export const PACKAGE_ROOT = new URL('../', import.meta.url);

/** A file or folder of the package, by its path from the package root (`fixtures/events/`). */
export function packageFile(path: string): URL {
  return new URL(path, PACKAGE_ROOT);
}
