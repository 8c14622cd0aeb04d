import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { toRpcError } from '@cloudillo/contracts';
import { isAppError } from '@cloudillo/protocol';
import { type Observable, throwError } from 'rxjs';

/** Every NATS handler error leaves as `{error:{code,message,status}}`; unexpected ones are logged once. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('rpc');

  catch(error: unknown, host: ArgumentsHost): Observable<never> {
    if (!isAppError(error) || error.status >= 500) {
      const subject = host.switchToRpc().getContext<{ getSubject?: () => string }>().getSubject?.();
      this.logger.error(
        `${subject ?? 'rpc'} failed`,
        error instanceof Error ? error.stack : String(error),
      );
    }
    return throwError(() => toRpcError(error));
  }
}
