import { Inject, Injectable, Logger } from '@nestjs/common';
import { consumeRef, ContractClient, releaseRef, sendWelcome } from '@cloudillo/contracts';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  isAppError,
  parseIdTag,
  SERVER_ADMIN_ROLE,
  ValidationError,
} from '@cloudillo/protocol';
import { type AuthContext } from '@cloudillo/http';

import { type IdentityConfig } from '../config';
import { IdpService } from '../idp/idp.service';
import { KnownProfilesRepository } from '../profiles/known-profiles.repository';
import { defaultTenantName, type TenantRecord } from '../tenants/tenant';
import { TenantsService } from '../tenants/tenants.service';
import { IDENTITY_CONFIG } from '../tokens';
import { RemoteIdpRegistrar } from './remote-idp.registrar';
import { type NameError, VerifyService } from './verify.service';

export interface NewIdentity {
  type: 'domain' | 'idp';
  idTag: string;
  appDomain?: string | undefined;
}

export interface CommunityCreated {
  idTag: string;
  name: string;
  type: 'community';
  profilePic?: string;
  createdAt: string;
}

/** A verify code as an error: `used` is a conflict, the rest are invalid input (protocol §1.1). */
function refusal(field: 'idTag' | 'appDomain', code: NameError): AppError {
  const details = { [`${field}Error`]: code };
  return code === 'used'
    ? new AppError('E-CORE-CONFLICT', `${field} is already used`, { details })
    : new AppError('E-VAL-INVALID', `${field}: ${code}`, { details });
}

/**
 * Creating identities on this provider (protocol §1.5, §1.6): `POST /api/profiles/register` with a
 * `register` invite, and communities with `PUT /api/profiles/{idTag}`. Names are checked as
 * `verify` checks them; the invite is used only when everything else is in order, and given back
 * if creation still fails, so a refusal never costs the holder their invite.
 */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);

  constructor(
    private readonly verifier: VerifyService,
    private readonly tenants: TenantsService,
    private readonly idp: IdpService,
    private readonly known: KnownProfilesRepository,
    private readonly rpc: ContractClient,
    private readonly remoteIdp: RemoteIdpRegistrar,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async register(
    hostTenant: string,
    input: NewIdentity & { email: string; token: string; lang?: string | undefined },
  ): Promise<Record<string, never>> {
    const names = await this.checkNames(input);
    await this.useInvite(hostTenant, input.token, 'register');
    try {
      await this.createIdentity(names, { email: input.email, lang: input.lang });
      await this.tenants.create({
        idTag: names.idTag,
        type: 'person',
        name: defaultTenantName(names.idTag),
        roles: [],
        ...(names.appDomain ? { appDomain: names.appDomain } : {}),
      });
    } catch (error) {
      await this.giveBack(hostTenant, input.token);
      throw error;
    }
    // The tenant exists now: a mail that fails to go out can be sent again (password reset).
    await this.rpc
      .request(sendWelcome, { idTag: names.idTag, email: input.email })
      .catch((error: unknown) => {
        this.logger.warn(`welcome mail for ${names.idTag} failed: ${String(error)}`);
      });
    return {};
  }

  async createCommunity(
    creator: AuthContext,
    input: NewIdentity & { name?: string | undefined; inviteRef?: string | undefined },
  ): Promise<CommunityCreated> {
    const names = await this.checkNames(input);
    const invited = !creator.roles.has(SERVER_ADMIN_ROLE);
    if (invited) {
      if (!input.inviteRef)
        throw new ForbiddenError('creating a community needs an invite (profile.invite)');
      // The server admin's invitation, made at the base tenant (access-token allows no other).
      await this.useInvite(this.config.baseTenant.idTag, input.inviteRef, 'profile.invite');
    }
    let community: TenantRecord;
    try {
      await this.createIdentity(names, { ownerIdTag: creator.subject });
      community = await this.tenants.create({
        idTag: names.idTag,
        type: 'community',
        name: input.name ?? defaultTenantName(names.idTag),
        roles: [],
        ...(names.appDomain ? { appDomain: names.appDomain } : {}),
      });
    } catch (error) {
      if (invited && input.inviteRef)
        await this.giveBack(this.config.baseTenant.idTag, input.inviteRef);
      throw error;
    }
    // The creator leads the community, and the two are connected on both sides.
    const creatorTenant = await this.tenants.resolve(creator.tenant);
    await this.known.remember(community.tnId, {
      idTag: creatorTenant.idTag,
      name: creatorTenant.name,
      type: creatorTenant.type,
      profilePic: creatorTenant.profilePic,
      roles: ['leader'],
      connected: true,
    });
    await this.known.remember(creatorTenant.tnId, {
      idTag: community.idTag,
      name: community.name,
      type: 'community',
      connected: true,
    });
    return {
      idTag: community.idTag,
      name: community.name,
      type: 'community',
      createdAt: new Date().toISOString(),
    };
  }

  private async checkNames(
    input: NewIdentity,
  ): Promise<{ type: 'domain' | 'idp'; idTag: string; appDomain?: string }> {
    const result = await this.verifier.verify(input);
    if (result.idTagError) throw refusal('idTag', result.idTagError);
    if (result.appDomainError) throw refusal('appDomain', result.appDomainError);
    const idTag = parseIdTag(input.idTag)?.ascii;
    if (!idTag) throw refusal('idTag', 'invalid');
    const appDomain =
      input.appDomain === undefined ? undefined : parseIdTag(input.appDomain)?.ascii;
    return { type: input.type, idTag, ...(appDomain && appDomain !== idTag ? { appDomain } : {}) };
  }

  /**
   * The IdP record of an `idp` identity. This deployment's own IdP vouches at once (the invite
   * was the check); another IdP is asked with a signed IDP:REG through its `/api/inbox/sync`.
   */
  private async createIdentity(
    names: { type: 'domain' | 'idp'; idTag: string },
    extra: { email?: string; lang?: string | undefined; ownerIdTag?: string },
  ): Promise<void> {
    if (names.type !== 'idp') return;
    const idpDomain = names.idTag.slice(names.idTag.indexOf('.') + 1);
    if (this.config.idp?.domain !== idpDomain) {
      await this.remoteIdp.register(idpDomain, { idTag: names.idTag, ...extra });
      return;
    }
    const address = this.config.registration.addresses.join(',');
    const result = await this.idp.register({
      registrarIdTag: this.config.baseTenant.idTag,
      idTag: names.idTag,
      ...extra,
      ...(address ? { address } : {}),
      activeNow: true,
    });
    if (!result.success) throw new ConflictError(result.message);
  }

  private async useInvite(
    tenant: string,
    refId: string,
    type: 'register' | 'profile.invite',
  ): Promise<void> {
    try {
      await this.rpc.request(consumeRef, { tenant, refId, types: [type] });
    } catch (error) {
      if (isAppError(error) && error.code === 'E-CORE-NOTFOUND')
        throw new ForbiddenError('this invite is not valid here');
      if (isAppError(error) && error.code === 'E-VAL-INVALID')
        throw new ValidationError('malformed invite');
      throw error;
    }
  }

  private async giveBack(tenant: string, refId: string): Promise<void> {
    await this.rpc.request(releaseRef, { tenant, refId }).catch((error: unknown) => {
      this.logger.warn(`could not give back invite ${refId.slice(0, 4)}…: ${String(error)}`);
    });
  }
}
