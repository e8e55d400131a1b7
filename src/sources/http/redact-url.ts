/** Query parameters whose values are treated as secrets in descriptions, logs and errors. */
const SECRET_PARAM = /token|key|secret|pass|pwd|auth|sig|credential|session/i;

/**
 * The URL as it may appear in a report, a log line or an error: no user or password, and the value
 * of any secret-looking query parameter (`api_key`, `access_token`, `sig`, ...) replaced by `***`.
 */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  for (const name of new Set(copy.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) copy.searchParams.set(name, '***');
  }
  // URLSearchParams encodes `*`; keep the mask readable.
  return copy.href.replace(/%2A%2A%2A/g, '***');
}
