import type { TokenRegistry } from './tokens.js';

/** The credentials the token endpoint checks; when absent, any non-empty pair is accepted. */
export interface ClientCredentials {
  clientId?: string;
  clientSecret?: string;
}

/** An answer of the token endpoint (OAuth 2.0 shapes, RFC 6749 §5). */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

function oauthError(status: number, error: string, description: string): TokenAnswer {
  return { status, body: { error, error_description: description } };
}

/** Reads client_id/client_secret from HTTP Basic auth (RFC 6749 §2.3.1) if present. */
function basicCredentials(authorization: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** RFC 6749 form-encodes Basic credentials; a value that does not decode is taken as it is. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * `POST /oauth/token` with `grant_type=client_credentials` (form-encoded; JSON is tolerated).
 * Answers `{access_token, token_type: "Bearer", expires_in, scope}`.
 */
export function handleTokenRequest(
  bodyText: string,
  contentType: string | undefined,
  authorization: string | undefined,
  credentials: ClientCredentials,
  tokens: TokenRegistry,
): TokenAnswer {
  const form = new URLSearchParams();
  if ((contentType ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (typeof parsed === 'object' && parsed !== null) {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') form.set(k, v);
      }
    } catch {
      return oauthError(400, 'invalid_request', 'the body is not valid JSON');
    }
  } else {
    for (const [k, v] of new URLSearchParams(bodyText)) form.set(k, v);
  }
  const grantType = form.get('grant_type');
  if (grantType === null) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials')
    return oauthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  const basic = basicCredentials(authorization);
  const id = basic?.id ?? form.get('client_id') ?? '';
  const secret = basic?.secret ?? form.get('client_secret') ?? '';
  if (id === '' || secret === '') return oauthError(401, 'invalid_client', 'client_id and client_secret are required');
  const idMatches = credentials.clientId === undefined || credentials.clientId === id;
  const secretMatches = credentials.clientSecret === undefined || credentials.clientSecret === secret;
  if (!idMatches || !secretMatches) return oauthError(401, 'invalid_client', 'unknown client or wrong secret');
  const issued = tokens.issue();
  return {
    status: 200,
    body: {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresInSeconds,
      scope: 'openid',
    },
  };
}
