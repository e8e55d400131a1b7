/**
 * The network error codes (system and undici) that orgsync explains, with what each means for a
 * request: `neverSent` when the connection was never made, so that re-sending cannot duplicate
 * anything; otherwise the server may or may not have received it.
 */
const NETWORK_ERRORS: Readonly<Record<string, { reason: string; neverSent: boolean }>> = {
  ECONNREFUSED: { reason: 'connection refused', neverSent: true },
  ENOTFOUND: { reason: 'host not found', neverSent: true },
  EAI_AGAIN: { reason: 'host name lookup failed', neverSent: true },
  UND_ERR_CONNECT_TIMEOUT: { reason: 'connection timed out', neverSent: true },
  ECONNRESET: { reason: 'connection reset', neverSent: false },
  ETIMEDOUT: { reason: 'connection timed out', neverSent: false },
  UND_ERR_SOCKET: { reason: 'connection closed by the server', neverSent: false },
};

/** The first error in `error`'s cause chain (itself included) that carries a string `code`. */
function codedError(error: unknown): { code: string; message: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    if ('code' in current && typeof current.code === 'string') {
      const message = 'message' in current && typeof current.message === 'string' ? current.message : '';
      return { code: current.code, message };
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** The network code (`ECONNRESET`, `UND_ERR_SOCKET`, ...) on `error` or one of its causes. */
export function findNetworkCode(error: unknown): string | undefined {
  return codedError(error)?.code;
}

/** True when `code` says the request never reached the server (refused connection, DNS failure). */
export function isNeverSentNetworkCode(code: string): boolean {
  return NETWORK_ERRORS[code]?.neverSent === true;
}

/**
 * Why a request failed on the network, in words: `connection refused` for a known code, the code
 * and its message for another, else the message of the error's cause (fetch's `fetch failed`
 * hides the reason there).
 */
export function describeNetworkError(error: Error): string {
  const coded = codedError(error);
  if (coded !== undefined) return NETWORK_ERRORS[coded.code]?.reason ?? `${coded.code}: ${coded.message}`;
  return error.cause instanceof Error ? error.cause.message : error.message;
}
