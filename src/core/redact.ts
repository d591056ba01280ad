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

// `PGPASSWORD=…`, `MYSQL_PWD=…`, `API_TOKEN=…`: an environment assignment whose name says secret.
const SECRET_ASSIGNMENT =
  /(^|[\s;&|(`'"])([A-Za-z_][A-Za-z0-9_]*(?:PASS|PASSWORD|PASSWD|PWD|TOKEN|SECRET|KEY|AUTH)[A-Za-z0-9_]*)=('[^']*'|"[^"]*"|[^\s;&|)]+)/gi;
// `--password=…` / `--password …` (and token, secret), and mysql's `-pPASS` (the password attached).
const SECRET_OPTION = /(^|\s)(--(?:password|passwd|pass|token|secret|api-key)(?:=|\s+))('[^']*'|"[^"]*"|\S+)/gi;
const ATTACHED_PASSWORD = /(^|\s)-p(?=[^\s-])('[^']*'|"[^"]*"|\S+)/g;

/**
 * A shell command (or what it printed) fit to print: credentials of URLs (`redactUrlsIn`),
 * assignments such as `PGPASSWORD=…`, options such as `--password=…` and mysql's `-pPASS` masked.
 */
export function redactCommand(text: string): string {
  return redactUrlsIn(text)
    .replace(SECRET_ASSIGNMENT, (_whole, before: string, name: string) => `${before}${name}=****`)
    .replace(SECRET_OPTION, (_whole, before: string, option: string) => `${before}${option}****`)
    .replace(ATTACHED_PASSWORD, (_whole, before: string) => `${before}-p****`);
}
