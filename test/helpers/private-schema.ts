import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { DATABASE_URL } from './database.js';

export interface PrivateSchema {
  /** The schema's name, `orgsync_test_<random hex>`. */
  readonly name: string;
  /** A connection of the test file's own, open between its `beforeAll` and `afterAll`. */
  readonly admin: pg.Client;
}

/**
 * A PostgreSQL schema of the calling test file's own: made before its tests (then `setup(name)`'s
 * statements run, in order), dropped with everything in it after them.
 */
export function usePrivateSchema(setup: (name: string) => readonly string[] = () => []): PrivateSchema {
  const name = `orgsync_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${name}`);
    for (const statement of setup(name)) await admin.query(statement);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await admin.end();
  });
  return { name, admin };
}
