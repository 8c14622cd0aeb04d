export { ActionTokenVerifier, type ActionVerifyOptions } from './action-token-verifier';
