import type { z } from 'zod';
import { ResponseShapeError, type HttpMethod } from './errors.js';

/**
 * Parses a 2xx body (empty = `{}`) and checks it against `schema`. Anything else is a
 * `ResponseShapeError` naming the route and the path of the first zod issue.
 */
export function parseResponseBody<R>(
  spec: { method: HttpMethod; routeTemplate: string; schema: z.ZodType<R> },
  bodyText: string,
): R {
  const context = { method: spec.method, routeTemplate: spec.routeTemplate };
  let json: unknown;
  try {
    json = bodyText.trim() === '' ? {} : JSON.parse(bodyText);
  } catch (error) {
    throw new ResponseShapeError('the response body is not JSON; Scalekit or a proxy sent something unexpected', {
      ...context,
      issuePath: '',
      cause: error,
    });
  }
  const parsed = spec.schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const issuePath = issue === undefined ? '' : issue.path.map(String).join('.');
  throw new ResponseShapeError(
    `the response does not match the expected shape at "${issuePath}" (${issue?.message ?? 'invalid'}); Scalekit may have changed its API`,
    { ...context, issuePath },
  );
}
