import type { RouteOptions } from 'fastify';

/** One registered route: its methods and its URL template as a pattern. */
interface RouteEntry {
  methods: readonly string[];
  pattern: RegExp;
}

/** The template's syntax (find-my-way): `:name` is one path segment, `*` the rest of the path. */
function templatePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Remembers every route as it is registered (fastify's `onRoute` hook) to tell a wrong method
 * (405 with `Allow`) from a path that does not exist (404).
 */
export function createRouteIndex() {
  const entries: RouteEntry[] = [];
  return {
    onRoute(route: RouteOptions): void {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      entries.push({ methods: methods.map((m) => String(m).toUpperCase()), pattern: templatePattern(route.url) });
    },
    /** The methods some route answers on `path` (no query string), sorted; `HEAD` wherever `GET` is. */
    allowedMethods(path: string): string[] {
      const allowed = new Set<string>();
      for (const entry of entries) {
        if (!entry.pattern.test(path)) continue;
        for (const method of entry.methods) allowed.add(method);
      }
      if (allowed.has('GET')) allowed.add('HEAD');
      return [...allowed].sort();
    },
  };
}

export type RouteIndex = ReturnType<typeof createRouteIndex>;
