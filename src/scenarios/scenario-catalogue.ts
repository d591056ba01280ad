/**
 * The built-in scenarios (`fixtures/scenarios/<name>.json`, in the same format as a user's file)
 * and where `--scenario NAME|FILE` finds one.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { packageFile } from '../package-files.js';
import { parseScenario, type Scenario, ScenarioError } from './scenario.js';

export const BUILT_IN_SCENARIOS = ['product-lifecycle', 'shopping-journey', 'bulk-import'] as const;

const FOLDER = packageFile('fixtures/scenarios/');

export interface LoadedScenario {
  scenario: Scenario;
  /** The file's text, as written. */
  text: string;
  builtIn: boolean;
}

export function isBuiltInScenario(name: string): boolean {
  return (BUILT_IN_SCENARIOS as readonly string[]).includes(name);
}

/** A built-in scenario by name, or a scenario file by path; a ScenarioError names what is wrong. */
export function loadScenario(nameOrFile: string): LoadedScenario {
  if (isBuiltInScenario(nameOrFile)) {
    const text = readFileSync(new URL(`${nameOrFile}.json`, FOLDER), 'utf8');
    return { scenario: parseScenario(text, nameOrFile, nameOrFile), text, builtIn: true };
  }
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const looksLikeName = !/[/\\.]/.test(nameOrFile);
    throw new ScenarioError(
      nameOrFile,
      undefined,
      looksLikeName
        ? 'is neither a built-in scenario nor a file'
        : code === 'ENOENT'
          ? 'no such file'
          : `cannot be read (${code ?? (err as Error).message})`,
      `built in: ${BUILT_IN_SCENARIOS.join(', ')} (webhooks-cli scenarios list); or give the path of a scenario file`,
    );
  }
  return { scenario: parseScenario(text, nameOrFile, basename(nameOrFile, extname(nameOrFile))), text, builtIn: false };
}

/** Every built-in scenario, in catalogue order. */
export function builtInScenarios(): LoadedScenario[] {
  return BUILT_IN_SCENARIOS.map(loadScenario);
}
