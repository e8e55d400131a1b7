import { columnKey } from '../../domain/account-record.js';
import { SourceError } from '../../errors.js';

/** One page of the documented shape, with each account's values already strings or null. */
export interface AccountPage {
  accounts: Record<string, string | null>[];
  /** The next page, resolved against the page's own URL; `null` on the last page. */
  next: URL | null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value as a source string: numbers and booleans as text, objects as JSON, null as null. */
export function toSourceValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function toValues(account: Record<string, unknown>): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(account)) values[columnKey(key)] = toSourceValue(value);
  return values;
}

function parseNext(next: unknown, label: string, pageUrl: URL): URL | null {
  // A missing `next` or an empty string also ends the listing: many serializers omit nulls.
  if (next === null || next === undefined || next === '') return null;
  if (typeof next !== 'string')
    throw new SourceError(`${label}: \`next\` must be a URL string or null, got ${kindOf(next)}`);
  let url: URL;
  try {
    url = new URL(next, pageUrl);
  } catch {
    // The URL parser's own message adds nothing to this one.
    throw new SourceError(`${label}: \`next\` is not a valid URL: ${JSON.stringify(next.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SourceError(`${label}: \`next\` must be an http(s) URL, got ${url.protocol}`);
  }
  return url;
}

/**
 * Checks a page against `{"accounts": [ {...}, ... ], "next": URL-or-null}` and throws a
 * `SourceError` naming the page (`label`) and the field that is wrong.
 */
export function parsePage(body: unknown, label: string, pageUrl: URL): AccountPage {
  if (!isObject(body)) {
    throw new SourceError(
      `${label}: the body must be a JSON object with \`accounts\` and \`next\`, got ${kindOf(body)}`,
    );
  }
  const { accounts } = body;
  if (!Array.isArray(accounts))
    throw new SourceError(`${label}: \`accounts\` must be an array, got ${kindOf(accounts)}`);
  const values = accounts.map((account: unknown, index) => {
    if (!isObject(account))
      throw new SourceError(`${label}: \`accounts[${index}]\` must be an object, got ${kindOf(account)}`);
    return toValues(account);
  });
  return { accounts: values, next: parseNext(body['next'], label, pageUrl) };
}
