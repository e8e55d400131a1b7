import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, type ApiError } from './api-error.js';

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole body as text, or returns null when it is larger than `MAX_BODY_BYTES`. */
export async function readBodyText(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses JSON text; an empty body counts as `{}` (grpc-gateway treats EOF as an empty message). */
export function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `proto: syntax error: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Sends a JSON text with its status. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  bodyText: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(bodyText)),
    ...headers,
  });
  res.end(bodyText);
}

/** Sends an error in grpc-gateway's shape. */
export function sendApiError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}): void {
  sendJsonText(res, error.httpStatus, JSON.stringify(errorBody(error)), headers);
}

/** What a load balancer sends when the service behind it fails: HTML, not JSON. */
export function sendBadGateway(res: ServerResponse): void {
  const html = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n';
  if (res.headersSent || res.destroyed) return;
  res.writeHead(502, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(html)) });
  res.end(html);
}
