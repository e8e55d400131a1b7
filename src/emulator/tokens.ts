import { randomBytes } from 'node:crypto';

/** What the registry knows about a bearer token. */
export type TokenStatus = 'valid' | 'expired' | 'unknown';

/** Access tokens issued by `POST /oauth/token`, each with an expiry. */
export class TokenRegistry {
  private readonly expiresAtMs = new Map<string, number>();

  constructor(private readonly options: { ttlSeconds: number; now: () => number }) {}

  /** Issues a new opaque token valid for `ttlSeconds`. */
  issue(): { accessToken: string; expiresInSeconds: number } {
    const nowMs = this.options.now();
    if (this.expiresAtMs.size > 10_000) this.pruneExpired(nowMs);
    const accessToken = `emu_${randomBytes(24).toString('base64url')}`;
    this.expiresAtMs.set(accessToken, nowMs + this.options.ttlSeconds * 1000);
    return { accessToken, expiresInSeconds: this.options.ttlSeconds };
  }

  /** Whether `token` was issued here and has not expired. */
  check(token: string): TokenStatus {
    const expiresAtMs = this.expiresAtMs.get(token);
    if (expiresAtMs === undefined) return 'unknown';
    return this.options.now() < expiresAtMs ? 'valid' : 'expired';
  }

  /** Expires every token issued so far (clients must re-authenticate); returns how many. */
  expireAll(): number {
    let count = 0;
    for (const [token, expiresAtMs] of this.expiresAtMs) {
      if (expiresAtMs > 0) count += 1;
      this.expiresAtMs.set(token, 0);
    }
    return count;
  }

  private pruneExpired(nowMs: number): void {
    for (const [token, expiresAtMs] of this.expiresAtMs) if (expiresAtMs <= nowMs) this.expiresAtMs.delete(token);
  }
}
