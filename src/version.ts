import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (cheaper than importing JSON modules). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const USER_AGENT = `webhooks-cli/${VERSION}`;
