// CommonJS, like the rest of the start-up path (see src/cli/main.cts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package version, read once from package.json (cheaper than importing JSON modules). */
export const VERSION: string = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

export const USER_AGENT = `webhooks-cli/${VERSION}`;
