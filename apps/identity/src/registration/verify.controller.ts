import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Public, ZodPipe } from '@cloudillo/http';
import { z } from 'zod';

import { VerifyService, type VerifyResult } from './verify.service';

const verifyBody = z.object({
  type: z.enum(['domain', 'idp']),
  idTag: z.string().max(253),
  appDomain: z.string().max(253).optional(),
  token: z.string().max(512).optional(),
});

@Controller('api/profiles')
export class VerifyController {
  constructor(private readonly verifier: VerifyService) {}

  /** Public: whether an identity (and its app domain) can be registered on this provider. */
  @Post('verify')
  @Public()
  @HttpCode(200)
  verify(@Body(new ZodPipe(verifyBody)) body: z.output<typeof verifyBody>): Promise<VerifyResult> {
    return this.verifier.verify(body);
  }
}
