import { Inject, Injectable } from '@nestjs/common';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { UnavailableError, parseIdTag } from '@cloudillo/protocol';
import { z } from 'zod';

import { type IdentityConfig } from '../config';
import { TenantsRepository } from '../tenants/tenants.repository';
import { IDENTITY_CONFIG } from '../tokens';
import { DOMAIN_RESOLVER } from './tokens';
import { addressType, type AddressType, type DomainResolver } from './domain-resolver';

export type NameError = 'invalid' | 'used' | 'nodns' | 'address' | '';

export interface VerifyResult {
  address: string[];
  identityProviders: string[];
  idTagError?: NameError;
  appDomainError?: NameError;
  apiAddress?: string;
  apiAddressType?: AddressType;
  appAddress?: string;
  appAddressType?: AddressType;
}

const availability = z.object({ data: z.object({ available: z.boolean() }) });

/**
 * `POST /api/profiles/verify` (protocol §1.1, §1.5): can this identity be registered here? Each name
 * gets an error code rather than the request failing, as the reference's clients expect.
 */
@Injectable()
export class VerifyService {
  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(DOMAIN_RESOLVER) private readonly dns: DomainResolver,
    private readonly tenants: TenantsRepository,
    private readonly peers: PeerClient,
  ) {}

  async verify(input: {
    type: 'domain' | 'idp';
    idTag: string;
    appDomain?: string | undefined;
  }): Promise<VerifyResult> {
    const base = {
      address: this.config.registration.addresses,
      identityProviders: this.config.registration.identityProviders,
    };
    const idTag = parseIdTag(input.idTag)?.ascii;
    if (!idTag) return { ...base, idTagError: 'invalid' };
    if (await this.tenants.findByAppDomain(idTag)) return { ...base, idTagError: 'used' };
    if (input.type === 'idp') return { ...base, idTagError: await this.idpAvailability(idTag) };

    const api = await this.check(`cl-o.${idTag}`);
    const appName = input.appDomain === undefined ? idTag : parseIdTag(input.appDomain)?.ascii;
    const result: VerifyResult = { ...base, idTagError: api.error };
    if (api.address) Object.assign(result, { apiAddress: api.address, apiAddressType: api.type });
    if (!appName) return { ...result, appDomainError: 'invalid' };
    if (appName !== idTag && (await this.tenants.findByAppDomain(appName)))
      return { ...result, appDomainError: 'used' };
    const app = await this.check(appName);
    if (app.address) Object.assign(result, { appAddress: app.address, appAddressType: app.type });
    return { ...result, appDomainError: app.error };
  }

  /** A name must resolve, and only to this provider's addresses (or be an alias of its host). */
  private async check(
    name: string,
  ): Promise<{ error: NameError; address?: string; type?: AddressType }> {
    const records = await this.dns
      .records(name)
      .catch(() => ({ addresses: [] as { address: string; type: 'ipv4' | 'ipv6' }[] }));
    const ours = new Set(this.config.registration.addresses.map((a) => a.toLowerCase()));
    const cname = 'cname' in records ? records.cname : undefined;
    if (cname && ours.has(cname)) return { error: '', address: cname, type: 'hostname' };
    const [first] = records.addresses;
    if (!first) return { error: 'nodns' };
    const allOurs = records.addresses.every((a) => ours.has(a.address.toLowerCase()));
    return {
      error: allOurs ? '' : 'address',
      address: first.address,
      type: addressType(first.address),
    };
  }

  /** `<prefix>.<idp>` under a trusted IdP, and still free there (protocol §1.5 step 1). */
  private async idpAvailability(idTag: string): Promise<NameError> {
    const dot = idTag.indexOf('.');
    const idp = idTag.slice(dot + 1);
    if (dot <= 0 || !this.config.registration.identityProviders.includes(idp)) return 'invalid';
    if (this.config.idp?.domain === idp) return '';
    try {
      const { data } = await this.peers.getJson(
        idp,
        `/api/idp/check-availability?idTag=${encodeURIComponent(idTag)}`,
        availability,
      );
      return data.available ? '' : 'used';
    } catch (error) {
      if (error instanceof PeerError)
        throw new UnavailableError(`cannot ask ${idp}: ${error.kind}`);
      throw error;
    }
  }
}
