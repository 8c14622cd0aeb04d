import { z } from 'zod';

/** A TCP port; 0 lets the OS choose (tests). */
export const envPort = (fallback?: number) => {
  const port = z.coerce.number().int().min(0).max(65535);
  return fallback === undefined ? port : port.default(fallback);
};

/** A URL with one of the given schemes, e.g. `envUrl(['postgresql', 'postgres'])`. */
export const envUrl = (schemes: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    `must be a ${schemes.join(' or ')} URL`,
  );

export const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A byte count with an optional binary unit: `1048576`, `512k`, `16m`, `1g`. */
export const envBytes = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(value.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'must be a size such as 1048576, 512k or 16m' });
        return z.NEVER;
      }
      const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
        (match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'
      ];
      return Number(match[1]) * unit;
    });

/** A comma-separated list; blanks dropped. */
export const envCsv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/**
 * `name=url,name=url` pairs, e.g. FEDERATION_PEER_MAP. Names are checked by whoever knows their
 * syntax (id_tags by libs/protocol); here only the URLs are.
 */
export const envUrlMap = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const map: Record<string, string> = {};
    for (const entry of value
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const eq = entry.indexOf('=');
      const name = entry.slice(0, eq).trim();
      const url = entry.slice(eq + 1).trim();
      if (eq <= 0 || !/^https?:\/\/[^/\s]+\/?$/.test(url)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${name || entry}" needs the form name=http(s)://host[:port]`,
        });
        continue;
      }
      map[name] = url.replace(/\/$/, '');
    }
    return map;
  });

/**
 * A 32-byte secret key (e.g. a key-encryption key), base64 or base64url. Required: secrets have
 * no defaults, and parseEnv never echoes values.
 */
export const envSecretKey32 = z
  .string({ message: 'required: 32 random bytes, base64 (e.g. `openssl rand -base64 32`)' })
  .transform((value, ctx) => {
    const bytes = Buffer.from(value, /^[A-Za-z0-9_-]+$/.test(value) ? 'base64url' : 'base64');
    if (bytes.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64-encoded' });
      return z.NEVER;
    }
    return bytes;
  });

/**
 * `TENANT_HEADER_SECRET`: what the gateway signs the tenant it resolved with, and the services
 * check it by (see `@cloudillo/tenancy` tenant-header). The same value everywhere; unset, every
 * service resolves each request's tenant itself.
 */
export const envTenantHeaderSecret = z
  .string()
  .min(32, 'must be at least 32 characters')
  .optional();
