/**
 * Channel credentials. A channel's id is derived from its secret token (a hash), so a relay can
 * check "does this token open that channel?" without storing anything: channels survive a relay
 * restart, any relay instance can authenticate any client, and knowing a public webhook URL (the
 * id) does not let anyone claim the channel.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CHANNEL_PATTERN = /^ch_[A-Za-z0-9_-]{22}$/;

/** A new secret token: 32 random bytes, base64url. */
export function newChannelToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function isWellFormedChannelId(channel: string): boolean {
  return CHANNEL_PATTERN.test(channel);
}

/** The public channel id a token opens: `ch_` and 22 base64url characters (132 bits). */
export function channelIdForToken(token: string): string {
  return `ch_${createHash('sha256').update('webhooks-cli relay channel\0').update(token).digest('base64url').slice(0, 22)}`;
}

/** Whether `token` opens `channel`; constant-time in the compared ids, never throws. */
export function tokenOpensChannel(token: string, channel: string): boolean {
  if (!isWellFormedToken(token) || !isWellFormedChannelId(channel)) return false;
  return timingSafeEqual(Buffer.from(channelIdForToken(token)), Buffer.from(channel));
}
