import { Body, Controller, Get, Headers, Patch, Req, Res } from '@nestjs/common';
import {
  Tenant,
  Authenticated,
  etagMatches,
  type AuthContext,
  OptionalAuth,
  OptionalAuthUser,
  Public,
  RawResponse,
  REPLAY_HEADER,
  requestMeta,
  ZodPipe,
} from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { okEnvelope } from '@cloudillo/protocol';
import { type Request, type Response } from 'express';
import { z } from 'zod';

import { type ProfileInfo } from '../profiles/profile-info';
import { profileEtag } from './etag';
import { type FullProfile, ProfileService } from './profile.service';
import { sectionsPatchSchema } from './sections';

const patchBody = z
  .object({ name: z.string().trim().min(1).max(200).optional(), x: sectionsPatchSchema.optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.x !== undefined, 'nothing to change');

/** How long the gateway may answer `GET /api/me` itself should a change event be lost. */
const PROFILE_REPLAY_SECONDS = 60;

@Controller('api/me')
export class ProfileController {
  constructor(private readonly profiles: ProfileService) {}

  /** Public, cacheable: a strong ETag over the profile, 304 when the client has it (protocol §1.2). */
  @Get()
  @Public()
  @RawResponse()
  async me(
    @Tenant() tenant: TenantContext,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const profile = await this.profiles.publicProfile(tenant);
    const etag = profileEtag(JSON.stringify(profile));
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (etagMatches(ifNoneMatch, etag)) {
      res.status(304).end();
      return;
    }
    // The gateway answers repeats itself until identity announces a change of this profile.
    res.setHeader(REPLAY_HEADER, String(PROFILE_REPLAY_SECONDS));
    const { reqId } = requestMeta(req);
    res.status(200).json(okEnvelope(profile, reqId === undefined ? {} : { reqId }));
  }

  /** The profile with its cover and the sections the caller's tier reaches. */
  @Get('full')
  @OptionalAuth()
  full(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() caller: AuthContext | undefined,
  ): Promise<FullProfile> {
    return this.profiles.fullProfile(tenant, caller);
  }

  @Patch()
  @Authenticated({ role: 'leader' })
  async update(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<{ profile: ProfileInfo }> {
    return { profile: await this.profiles.updateOwn(tenant, body) };
  }
}
