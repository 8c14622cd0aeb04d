import { type TenantView } from '@cloudillo/contracts';

/** One line per tenant, aligned: what an operator scans. */
export function tenantTable(tenants: TenantView[]): string {
  const rows = [
    ['TN_ID', 'ID_TAG', 'TYPE', 'STATUS', 'KEYS', 'CREATED'],
    ...tenants.map((t) => [
      String(t.tnId),
      t.idTag,
      t.type,
      t.status,
      t.keys.map((k) => (k.expiresAt ? `${k.keyId}*` : k.keyId)).join(','),
      t.createdAt.slice(0, 10),
    ]),
  ];
  const widths = rows.reduce<number[]>(
    (max, row) => row.map((cell, i) => Math.max(cell.length, max[i] ?? 0)),
    [],
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
