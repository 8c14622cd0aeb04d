import {
  AppError,
  ConflictError,
  ERROR_STATUS,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  isAppError,
  isErrorCode,
} from './errors';

describe('errors', () => {
  it('maps the reference codes to their statuses (protocol §0)', () => {
    expect(ERROR_STATUS).toMatchObject({
      'E-AUTH-UNAUTH': 401,
      'E-AUTH-NOPERM': 403,
      'E-CORE-NOTFOUND': 404,
      'E-CORE-GONE': 410,
      'E-VAL-INVALID': 400,
      'E-CORE-CONFLICT': 409,
      'E-POW-REQUIRED': 428,
      'E-NET-TIMEOUT': 408,
      'E-SYS-UNAVAIL': 503,
    });
  });

  it('fixes the status per category and keeps details and cause', () => {
    const cause = new Error('db down');
    expect(new ValidationError('bad', { field: 'x' })).toMatchObject({
      code: 'E-VAL-INVALID',
      status: 400,
      details: { field: 'x' },
      name: 'ValidationError',
    });
    expect(new NotFoundError()).toMatchObject({ status: 404, message: 'not found' });
    expect(new UnauthorizedError()).toMatchObject({ status: 401 });
    expect(new ForbiddenError()).toMatchObject({ status: 403 });
    expect(new ConflictError('dup')).toMatchObject({ status: 409 });
    expect(new UnavailableError('later', cause)).toMatchObject({ status: 503, cause });
    expect(new AppError('E-CORE-GONE', 'gone', { status: 499 }).status).toBe(499);
  });

  it('recognises app errors by shape, not by class', () => {
    expect(isAppError(new NotFoundError())).toBe(true);
    expect(isAppError({ code: 'E-CORE-NOTFOUND', status: 404, message: 'x' })).toBe(true);
    expect(isAppError({ code: 'E-NOPE', status: 404, message: 'x' })).toBe(false);
    expect(isAppError({ code: 'E-CORE-NOTFOUND', status: '404', message: 'x' })).toBe(false);
    expect(isAppError({ code: 'E-CORE-NOTFOUND', status: 404 })).toBe(false);
    expect(isAppError(new Error('plain'))).toBe(false);
    expect(isAppError(null)).toBe(false);
    expect(isAppError('E-CORE-NOTFOUND')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });
});
