import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'distill_token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token from `?token=`, `Authorization: Bearer`, or the cookie set on first visit. */
export function presentedToken(request: IncomingMessage, url: URL): string | null {
  const query = url.searchParams.get('token');
  if (query) return query;
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return null;
}

export type Verdict = { ok: true } | { ok: false; status: number; reason: string };

/**
 * Every request needs the token; a browser request from another origin is refused even
 * with it, and so is an unexpected Host header (DNS rebinding).
 */
export function checkRequest(request: IncomingMessage, url: URL, token: string, allowedHosts: ReadonlySet<string>): Verdict {
  const host = request.headers.host ?? '';
  if (!allowedHosts.has(host)) return { ok: false, status: 403, reason: `unexpected Host "${host}"` };
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return { ok: false, status: 403, reason: `cross-origin request from ${origin} refused` };
  const presented = presentedToken(request, url);
  if (!presented) return { ok: false, status: 401, reason: 'missing access token: open the URL that `distill serve` printed' };
  if (!sameToken(presented, token)) return { ok: false, status: 401, reason: 'wrong access token' };
  return { ok: true };
}
