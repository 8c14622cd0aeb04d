/**
 * Prisma's schema engine compiled to WebAssembly, driven through @prisma/adapter-pg. The Prisma CLI
 * downloads a native engine from Prisma's own host, which these machines cannot reach; the wasm
 * build is the same engine, shipped inside an npm package.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as Engine from '@prisma/schema-engine-wasm';

import { migratorEnv } from './config';

const localRequire = createRequire(__filename);

/** The slice of the WebAssembly API used here (Node 20's type definitions do not declare it). */
interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  schema: string;
}

/** Splits a DATABASE_URL into discrete fields: a connection string would override `database`. */
export function pgTargetFromUrl(url: string, schema: string): PgTarget {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    database: parsed.pathname.replace(/^\//, ''),
    schema,
  };
}

let wasmModule: Promise<typeof Engine> | undefined;

async function loadWasm(): Promise<typeof Engine> {
  const pkgDir = path.dirname(localRequire.resolve('@prisma/schema-engine-wasm'));
  const bg = (await import(path.join(pkgDir, 'schema_engine_bg.js'))) as typeof Engine & {
    __wbg_set_wasm(exports: Record<string, unknown>): void;
  };
  const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
  // The engine arms housekeeping timers that would keep a finished CLI or test run alive ~10 s.
  const imports: Record<string, unknown> = { ...bg };
  for (const name of Object.keys(imports).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
    imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': imports });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports['__wbindgen_start'] as () => void)();
  return bg;
}

/**
 * pg_catalog column types that @prisma/adapter-pg refuses to deserialise (upstream
 * prisma/orm#27403) but the engine reads while describing a schema; their text form is what it
 * needs: "char", name arrays, int2vector, regproc, oidvector, pg_node_tree, aclitem, regclass, …
 */
const CATALOG_TYPES_AS_TEXT = new Set([
  18, 22, 24, 28, 29, 30, 194, 1002, 1033, 1034, 2205, 2206, 3220, 3361, 3402, 5017,
]);
const TEXT_OID = 25;

function retypeCatalogColumns(res: pg.QueryResult | undefined): void {
  for (const field of res?.fields ?? []) {
    if (CATALOG_TYPES_AS_TEXT.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
  }
}

/** pg.Pool#query calls its client with a callback; the adapter's own clients use promises. */
class CatalogTolerantClient extends pg.Client {
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: Error | undefined, res: pg.QueryResult | undefined) => {
        retypeCatalogColumns(res);
        (callback as (e: unknown, r: unknown) => void)(error, res);
      };
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.then((res: pg.QueryResult) => (retypeCatalogColumns(res), res)) as never;
    }
    return result as never;
  }
}

export interface OpenEngine {
  engine: Engine.SchemaEngine;
  close(): Promise<void>;
}

/** Opens the engine on one Postgres schema; `close` frees it and ends its connection pool. */
export async function openSchemaEngine(target: PgTarget, schemaFile: string): Promise<OpenEngine> {
  wasmModule ??= loadWasm();
  const wasm = await wasmModule;
  const { schema, ...connection } = target;
  const pool = new pg.Pool({
    ...connection,
    options: `-c search_path=${schema}`,
    Client: CatalogTolerantClient,
    max: 2,
  });
  const factory = new PrismaPg(pool, { schema });
  const datamodel = await readFile(schemaFile, 'utf8');
  const { engineDebug } = migratorEnv();
  const log = (message: string) => {
    if (engineDebug) process.stderr.write(`${message}\n`);
  };
  const engine = await wasm.SchemaEngine.new(
    { datamodels: [[schemaFile, datamodel]] },
    log,
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    close: async () => {
      engine.free();
      await pool.end();
    },
  };
}
