/** Redirects followed within the source's origin before giving up. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends a request, following redirects within `url`'s origin only: a redirect to another origin
 * is refused, so that the bearer token never goes to another host (whatever the fetch
 * implementation would strip or keep). Returns the final response, or why it was refused.
 */
export async function fetchWithinOrigin(
  fetchImpl: typeof fetch,
  url: URL,
  init: RequestInit,
): Promise<{ response: Response } | { refused: string; hint?: string }> {
  let target = url;
  for (let redirects = 0; ; redirects += 1) {
    const response = await fetchImpl(target, { ...init, redirect: 'manual' });
    if (!REDIRECT_STATUSES.has(response.status)) return { response };
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get('location');
    const next = location === null || !URL.canParse(location, target.href) ? null : new URL(location, target);
    if (next === null) return { refused: `${response.status} without a valid Location header` };
    if (next.origin !== url.origin) {
      return {
        refused: `${response.status} redirects to another origin (${next.origin}); orgsync does not follow it, so that ORGSYNC_SOURCE_TOKEN is never sent there`,
        hint: 'point the source at the final URL',
      };
    }
    if (redirects >= MAX_REDIRECTS) return { refused: `more than ${MAX_REDIRECTS} redirects` };
    target = next;
  }
}

/**
 * The body as text (UTF-8), counting bytes as they arrive: `undefined` as soon as there are more
 * than `maxBytes`, or when the declared Content-Length says there will be, without reading the rest.
 */
export async function readBodyUpTo(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
