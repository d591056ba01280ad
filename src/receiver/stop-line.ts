/**
 * The line `listen` ends with: how many requests it received and where every one of them is — the
 * history, or the spool (and why) — so nothing answered goes unaccounted for.
 */
import type { ListenerSummary } from './listener.js';

export function stopLine(received: number, dbPath: string, summary: ListenerSummary): string {
  const requests = `${received} request${received === 1 ? '' : 's'} received`;
  const lost = summary.lost ? `; ${summary.lost} could be written neither to ${dbPath} nor to a spool file` : '';
  if (!summary.spilled) return `stopped: ${requests}, all recorded in ${dbPath}${lost}`;
  const where = `${summary.spilled} kept in ${summary.spoolPath}`;
  if (summary.damage) {
    return `stopped: ${requests}; ${summary.written} recorded in ${dbPath}, ${where} because ${summary.damage.message}${lost} — ${summary.damage.hint}; the first command after that imports them`;
  }
  return `stopped: ${requests}; ${summary.written} recorded in ${dbPath}, ${where} until the database is free${lost}`;
}
