import { apiBaseUrl, parseIdTag } from './id-tag';

/**
 * Where a peer's API lives: `https://cl-o.<id_tag>` on the public network, or, for local
 * multi-node runs and tests, an explicit address from FEDERATION_PEER_MAP (empty by default).
 */
export class PeerDirectory {
  private readonly overrides = new Map<string, string>();
  /** `*.<domain>` entries: every id_tag under the domain (a whole provider on one address). */
  private readonly domains = new Map<string, string>();

  /**
   * `entries` maps id_tags (or `*.<domain>`) to base URLs; an entry that is neither is refused.
   * An exact entry wins over a wildcard one.
   */
  constructor(entries: Record<string, string> = {}) {
    for (const [name, url] of Object.entries(entries)) {
      const wildcard = name.startsWith('*.');
      const idTag = parseIdTag(wildcard ? name.slice(2) : name);
      if (!idTag) throw new Error(`peer map entry "${name}" is not a valid id_tag`);
      (wildcard ? this.domains : this.overrides).set(idTag.ascii, url.replace(/\/$/, ''));
    }
  }

  /** The API base URL of `idTag` (without `/api`); undefined when it is not an id_tag. */
  baseUrl(idTag: string): string | undefined {
    const parsed = parseIdTag(idTag);
    if (!parsed) return undefined;
    return this.mapped(parsed.ascii) ?? apiBaseUrl(parsed);
  }

  /** The Host a peer's API answers to (`cl-o.<A-label>`), whatever address it is reached at. */
  apiHost(idTag: string): string | undefined {
    const parsed = parseIdTag(idTag);
    return parsed ? `cl-o.${parsed.ascii}` : undefined;
  }

  /** Peer-map entries skip the SSRF guard (loopback, plain http): they are the operator's word. */
  isMapped(idTag: string): boolean {
    const parsed = parseIdTag(idTag);
    return parsed !== undefined && this.mapped(parsed.ascii) !== undefined;
  }

  private mapped(ascii: string): string | undefined {
    const exact = this.overrides.get(ascii);
    if (exact !== undefined) return exact;
    for (let dot = ascii.indexOf('.'); dot !== -1; dot = ascii.indexOf('.', dot + 1)) {
      const url = this.domains.get(ascii.slice(dot + 1));
      if (url !== undefined) return url;
    }
    return undefined;
  }
}

/** A name a peer map may use: an id_tag, or `*.<id_tag>` for everything under it. */
export function isPeerMapName(name: string): boolean {
  return parseIdTag(name.startsWith('*.') ? name.slice(2) : name) !== undefined;
}
