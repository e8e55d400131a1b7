/** The PostgreSQL the integration tests use: `DATABASE_URL`, or the `test` database on loopback (trust auth). */
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** `DATABASE_URL` with some parts replaced (a password, another database, a query string). */
export function databaseUrlWith(parts: { password?: string; database?: string; search?: string }): string {
  const url = new URL(DATABASE_URL);
  if (parts.password !== undefined) url.password = parts.password;
  if (parts.database !== undefined) url.pathname = `/${parts.database}`;
  if (parts.search !== undefined) url.search = parts.search;
  return url.toString();
}

/** How error messages name the test database: `127.0.0.1:5432 (database test)`. */
export function databaseLabel(): string {
  const url = new URL(DATABASE_URL);
  return `${url.hostname}:${url.port || '5432'} (database ${decodeURIComponent(url.pathname.slice(1))})`;
}
