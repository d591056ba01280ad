import { readFileSync } from 'node:fs';
import { packageFile } from './package-files.js';

/** The package version, read once from package.json (cheaper than importing JSON modules). */
export const VERSION: string = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string })
  .version;

export const USER_AGENT = `webhooks-cli/${VERSION}`;
