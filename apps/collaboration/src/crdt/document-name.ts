import { type DocKey } from './update-log.repository';

/**
 * The engine's name of a document: tenant and file id, so two tenants' files never share a
 * document (the reference keys its registry by bare id, protocol §11).
 */
export function documentName(key: DocKey): string {
  return `${key.tnId}:${key.docId}`;
}

export function docKeyOf(name: string): DocKey {
  const colon = name.indexOf(':');
  const tnId = Number(name.slice(0, colon));
  if (colon < 1 || !Number.isSafeInteger(tnId)) throw new Error(`not a document name: ${name}`);
  return { tnId, docId: name.slice(colon + 1) };
}
