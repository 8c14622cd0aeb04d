import { AppError, ERROR_CODES, type ErrorCode, isAppError } from '@cloudillo/protocol';
import { z } from 'zod';

/** How an error crosses NATS: `{error:{code,message,status}}`, re-thrown as the same AppError. */
export const rpcErrorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    status: z.number().int().min(400).max(599),
  }),
});

export type RpcError = z.infer<typeof rpcErrorSchema>;

/** Anything thrown by a handler, as it travels; unexpected errors never leak their message. */
export function toRpcError(error: unknown): RpcError {
  if (isAppError(error)) {
    return { error: { code: error.code, message: error.message, status: error.status } };
  }
  return { error: { code: 'E-SYS-INTERNAL', message: 'internal error', status: 500 } };
}

export function fromRpcError(payload: unknown): AppError | undefined {
  const parsed = rpcErrorSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const { code, message, status } = parsed.data.error;
  return new AppError(code, message, { status });
}
