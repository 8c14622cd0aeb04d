import { Controller, Get, Headers, Req, Res } from '@nestjs/common';
import { ApiTenant, Public, RawResponse, requestMeta } from '@cloudillo/http';
import { type IdTag, okEnvelope } from '@cloudillo/protocol';
import { type Request, type Response } from 'express';

import { etagMatches, profileEtag } from './etag';
import { ProfileService } from './profile.service';

@Controller('api/me')
export class ProfileController {
  constructor(private readonly profiles: ProfileService) {}

  /** Public, cacheable: a strong ETag over the profile, 304 when the client has it (protocol §1.2). */
  @Get()
  @Public()
  @RawResponse()
  async me(
    @ApiTenant() tenant: IdTag,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const profile = await this.profiles.publicProfile(tenant.ascii);
    const etag = profileEtag(JSON.stringify(profile));
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (etagMatches(ifNoneMatch, etag)) {
      res.status(304).end();
      return;
    }
    const { reqId } = requestMeta(req);
    res.status(200).json(okEnvelope(profile, reqId === undefined ? {} : { reqId }));
  }
}
