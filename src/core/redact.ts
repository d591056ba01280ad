/** Secrets and tokens are shown masked everywhere unless the user asks for them whole. */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return '(none)';
  if (secret.length <= 4) return '****';
  return `${secret.slice(0, 2)}${'*'.repeat(Math.min(8, secret.length - 2))}`;
}

/**
 * A URL fit to print: a password in it is masked (`https://user:****@host/path`), and so is a user
 * name given alone, which is how some services pass a token (`https://****@host/path`).
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    else if (parsed.username) parsed.username = '****';
    else return url;
    return parsed.toString();
  } catch {
    return url;
  }
}

// `scheme://user:password@` or `scheme://token@` inside free text (a shell command, its output).
const CREDENTIALS_IN_URL = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]+)(?::[^\s/@'"]*)?@/gi;

/** Free text with the credentials of every URL in it masked, as `redactUrl` masks one URL. */
export function redactUrlsIn(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, (whole, scheme: string, user: string) =>
    whole.slice(scheme.length + user.length).startsWith(':') ? `${scheme}${user}:****@` : `${scheme}****@`,
  );
}
