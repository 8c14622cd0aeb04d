import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE = 'cloudillo:raw-response';

/** Marks a handler that writes its own response (bytes, 304s): the envelope is not applied. */
export const RawResponse = (): MethodDecorator => SetMetadata(RAW_RESPONSE, true);
