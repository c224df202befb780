const BEARER = /^Bearer\s+(\S{1,1024})\s*$/i;

/**
 * The token of an `Authorization: Bearer <token>` header, however the scheme is cased or spaced:
 * the one parse both authentication and the rate limiter use, so a token has one identity.
 */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}
