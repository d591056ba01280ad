/** Secrets and tokens are shown masked everywhere unless the user asks for them whole. */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return '(none)';
  if (secret.length <= 4) return '****';
  return `${secret.slice(0, 2)}${'*'.repeat(Math.min(8, secret.length - 2))}`;
}
