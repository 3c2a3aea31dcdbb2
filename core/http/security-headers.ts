import type { Request, Response } from 'express';

/**
 * Headers every response carries: no MIME sniffing, no framing, a strict
 * content security policy (own scripts, styles and forms only), no referrer
 * leaks to other sites, and HSTS and COOP when the request came over HTTPS.
 */
export function securityHeaders(req: Request, res: Response): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'");
  // Browsers accept these only from secure origins; over plain HTTP they log an error and ignore them.
  if (req.secure) {
    res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  }
}

/**
 * Caching headers of a page the framework made: `Vary: Cookie` on all of
 * them (a shared cache must not hand one visitor's answer to another), and
 * `Cache-Control: private, no-store` on every answer that depends on a
 * session: a logged-in user's pages, and any answer that reads or sets a
 * session cookie (a form's CSRF token is bound to it). Without it a
 * browser's back button or a proxy may show a user's page after logout,
 * or to someone else.
 */
export function cacheHeaders(res: Response, sessionBound: boolean): void {
  if (res.headersSent) return;
  res.vary('Cookie');
  if (sessionBound) res.setHeader('Cache-Control', 'private, no-store');
}
