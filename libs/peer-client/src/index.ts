export { isPublicUnicast } from './address-policy';
export { PeerClient, type PeerClientOptions } from './peer-client';
export { PeerError, type PeerErrorKind } from './peer-error';
export { systemResolver, type HostResolver, type ResolvedAddress } from './resolver';
export { peerClientProvider } from './peer-client-provider';
