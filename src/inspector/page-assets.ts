/**
 * The inspector's page: an HTML shell with no script or style of its own (the Content-Security-
 * Policy allows none inline), and the script and stylesheet scripts/build.js bundles from
 * src/inspector-page/ into dist/inspector/. Read once when the inspector starts; nothing else in
 * the tool loads them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { packageFile } from '../package-files.js';

export interface PageAsset {
  type: string;
  body: Buffer;
  /** The same, gzipped on first request (not while listen starts), for browsers that take it. */
  gzipped(): Buffer;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export const PAGE_SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>webhooks-cli inspector</title>
<link rel="stylesheet" href="/assets/inspector.css">
<script type="module" src="/assets/inspector.js"></script>
</head>
<body>
<main id="app"><p class="boot">Loading the inspector…</p></main>
</body>
</html>
`;

/** Every policy the page needs and nothing more: its own script, style and API; no inline code, no frames, no other origin. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page's files by URL path (`/`, `/assets/inspector.js`, its chunks); a build without them serves a page that says how to build it. */
export function loadPageAssets(dir: URL = packageFile('dist/inspector/')): Map<string, PageAsset> {
  const assets = new Map<string, PageAsset>();
  const add = (path: string, type: string, body: Buffer) => {
    let gzipped: Buffer | undefined;
    assets.set(path, { type, body, gzipped: () => (gzipped ??= gzipSync(body)) });
  };
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((name) => TYPES[name.split('.').pop()!]);
  } catch {
    // Not built: said on the page below.
  }
  if (!files.includes('inspector.js')) {
    add(
      '/',
      'text/plain; charset=utf-8',
      Buffer.from('The inspector page is not built: run `npm run build` (scripts/build.js writes dist/inspector/).\n'),
    );
    return assets;
  }
  add('/', 'text/html; charset=utf-8', Buffer.from(PAGE_SHELL));
  for (const name of files) add(`/assets/${name}`, TYPES[name.split('.').pop()!]!, readFileSync(new URL(name, dir)));
  return assets;
}
