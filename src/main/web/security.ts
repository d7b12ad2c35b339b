import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

// Rules for who may talk to `gan-focus serve`: loopback binds are open to the
// local machine, anything else needs the token printed with the URL.

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A Host header we are willing to reflect into a CSP header: host[:port] only. */
export function isWellFormedHostHeader(value: string | undefined): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(value);
}

/**
 * On a loopback bind there is no token, so the Host header is the guard
 * against DNS rebinding: only names of this machine's loopback are accepted.
 * On other binds the token is the guard and any well-formed Host is accepted.
 */
export function hostAllowed(hostHeader: string | undefined, loopbackOnly: boolean, port: number): boolean {
  if (!isWellFormedHostHeader(hostHeader)) return false;
  if (!loopbackOnly) return true;
  const allowed = ['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`);
  return allowed.includes(hostHeader.toLowerCase());
}

/**
 * Browsers always send Origin on a WebSocket upgrade; it must be this server's
 * own origin, so another site open in the same browser cannot drive the API.
 * Non-browser clients (CLI scripts) send none and are judged by token/bind alone.
 */
export function originAllowed(origin: string | undefined, hostHeader: string): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === hostHeader.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The renderer needs nothing from other origins: scripts and styles are files
 * of the build, images are data:/blob: URLs made from API results. Only a dev
 * server (Vite injects <style> tags for hot reload) needs inline styles.
 */
export function contentSecurityPolicy(opts: { connect?: string[]; inlineStyles?: boolean } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self'${opts.inlineStyles ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...(opts.connect ?? [])].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
