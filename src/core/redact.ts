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
