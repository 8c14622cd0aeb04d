import { testInfra, uniqueName } from '@cloudillo/testing';
import { Pool } from 'pg';

import { poolConfig } from '../src';

describe('poolConfig against the real Postgres', () => {
  const { databaseUrl } = testInfra();
  const schema = uniqueName('pgcfg');
  const admin = new Pool({ connectionString: databaseUrl, max: 1 });
  const pool = new Pool(poolConfig({ databaseUrl, poolSize: 2 }, schema));

  beforeAll(async () => {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(`CREATE TABLE "${schema}".probe (v text)`);
  });

  afterAll(async () => {
    await pool.end();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  });

  it("resolves unqualified names in the service's schema, on every pooled connection", async () => {
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const client of clients) {
        await client.query(`INSERT INTO probe (v) VALUES ('here')`);
        const { rows } = await client.query<{ search_path: string }>('SHOW search_path');
        expect(rows[0]?.search_path).toBe(schema);
      }
    } finally {
      for (const client of clients) client.release();
    }
    const { rows } = await admin.query(`SELECT v FROM "${schema}".probe`);
    expect(rows).toEqual([{ v: 'here' }, { v: 'here' }]);
  });

  it('holds at most the asked number of connections, 10 by default', async () => {
    expect(poolConfig({ databaseUrl }, schema).max).toBe(10);
    const held = await Promise.all([pool.connect(), pool.connect()]);
    const third = pool.connect();
    const waited = await Promise.race([
      third.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 200)),
    ]);
    expect(waited).toBe(true);
    held[0]?.release();
    (await third).release();
    held[1]?.release();
  });
});
