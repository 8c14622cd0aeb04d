import { parseArgs } from 'node:util';

import {
  type ContractClient,
  createTenant,
  getTenant,
  listTenants,
  purgeTenant,
  rotateTenantKey,
  setTenantPassword,
  setTenantStatus,
} from '@cloudillo/contracts';

import { tenantTable } from './format';

export const USAGE = `usage: npm run cli -- tenant <command> [options]
  tenant create <idTag> [--type person|community] [--name NAME] [--password P]
  tenant set-password <idTag> --password P
  tenant list [--search TEXT] [--limit N]
  tenant show <idTag>
  tenant suspend <idTag> | reactivate <idTag> | purge <idTag> | rotate-key <idTag>
options: --json prints machine-readable JSON`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Runs one command against the services over NATS; returns what to print. */
export async function runCommand(argv: string[], rpc: ContractClient): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      type: { type: 'string', default: 'person' },
      name: { type: 'string' },
      password: { type: 'string' },
      search: { type: 'string' },
      limit: { type: 'string', default: '50' },
    },
  });
  const [group, command, idTag] = positionals;
  if (group !== 'tenant' || !command) throw new UsageError(USAGE);
  const needIdTag = (): string => {
    if (!idTag) throw new UsageError(`tenant ${command} needs an id_tag\n${USAGE}`);
    return idTag;
  };
  const print = (value: unknown, text: () => string) =>
    values.json ? JSON.stringify(value, null, 2) : text();
  switch (command) {
    case 'create': {
      const type =
        values.type === 'community' ? 'community' : values.type === 'person' ? 'person' : undefined;
      if (!type) throw new UsageError('--type is person or community');
      const tenant = await rpc.request(createTenant, {
        idTag: needIdTag(),
        type,
        ...(values.name ? { name: values.name } : {}),
      });
      if (values.password !== undefined) {
        await rpc.request(setTenantPassword, { idTag: tenant.idTag, password: values.password });
      }
      return print(
        tenant,
        () => `created ${tenant.idTag} (tn_id ${tenant.tnId}, key ${tenant.keys[0]?.keyId ?? '-'})`,
      );
    }
    case 'set-password': {
      if (values.password === undefined) throw new UsageError('--password is required');
      const result = await rpc.request(setTenantPassword, {
        idTag: needIdTag(),
        password: values.password,
      });
      return print(
        result,
        () => `password of ${idTag} set; ${result.revokedSessions} session(s) revoked`,
      );
    }
    case 'list': {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new UsageError('--limit is 1 to 500');
      const page = await rpc.request(listTenants, {
        limit,
        ...(values.search ? { search: values.search } : {}),
      });
      return print(
        page,
        () => tenantTable(page.items) + (page.next ? `\n(more after tn_id ${page.next})` : ''),
      );
    }
    case 'show': {
      const tenant = await rpc.request(getTenant, { idTag: needIdTag() });
      return print(tenant, () => tenantTable([tenant]));
    }
    case 'suspend':
    case 'reactivate': {
      const tenant = await rpc.request(setTenantStatus, {
        idTag: needIdTag(),
        status: command === 'suspend' ? 'S' : 'A',
      });
      return print(
        tenant,
        () => `${tenant.idTag} is now ${tenant.status === 'S' ? 'suspended' : 'active'}`,
      );
    }
    case 'purge': {
      const purged = await rpc.request(purgeTenant, { idTag: needIdTag() });
      return print(purged, () => `purged ${purged.idTag} (tn_id ${purged.tnId})`);
    }
    case 'rotate-key': {
      const rotated = await rpc.request(rotateTenantKey, { idTag: needIdTag() });
      return print(
        rotated,
        () =>
          `${idTag} has a new key ${rotated.keyId}, published now, signing from ${rotated.signsFrom}`,
      );
    }
    default:
      throw new UsageError(`unknown command tenant ${command}\n${USAGE}`);
  }
}
