import { apiBaseUrl, parseIdTag } from './id-tag';

/**
 * Where a peer's API lives: `https://cl-o.<id_tag>` on the public network, or, for local
 * multi-node runs and tests, an explicit address from FEDERATION_PEER_MAP (empty by default).
 */
export class PeerDirectory {
  private readonly overrides = new Map<string, string>();

  /** `entries` maps id_tags to base URLs; an entry that is not a valid id_tag is refused. */
  constructor(entries: Record<string, string> = {}) {
    for (const [name, url] of Object.entries(entries)) {
      const idTag = parseIdTag(name);
      if (!idTag) throw new Error(`peer map entry "${name}" is not a valid id_tag`);
      this.overrides.set(idTag.ascii, url.replace(/\/$/, ''));
    }
  }

  /** The API base URL of `idTag` (without `/api`); undefined when it is not an id_tag. */
  baseUrl(idTag: string): string | undefined {
    const parsed = parseIdTag(idTag);
    if (!parsed) return undefined;
    return this.overrides.get(parsed.ascii) ?? apiBaseUrl(parsed);
  }

  /** The Host a peer's API answers to (`cl-o.<A-label>`), whatever address it is reached at. */
  apiHost(idTag: string): string | undefined {
    const parsed = parseIdTag(idTag);
    return parsed ? `cl-o.${parsed.ascii}` : undefined;
  }

  /** Peer-map entries skip the SSRF guard (loopback, plain http): they are the operator's word. */
  isMapped(idTag: string): boolean {
    const parsed = parseIdTag(idTag);
    return parsed !== undefined && this.overrides.has(parsed.ascii);
  }
}
