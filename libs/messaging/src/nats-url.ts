/**
 * Splits `nats://user:password@host:port` into the server address and credentials: NATS_URL carries
 * a service's NATS user in deployment, and the nats client does not read credentials from URLs.
 */
export function natsConnectionOptions(url: string): {
  servers: string;
  user?: string;
  pass?: string;
} {
  const parsed = new URL(url);
  const servers = `${parsed.protocol}//${parsed.host}`;
  if (!parsed.username) return { servers };
  return {
    servers,
    user: decodeURIComponent(parsed.username),
    pass: decodeURIComponent(parsed.password),
  };
}
