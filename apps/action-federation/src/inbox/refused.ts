/** A verification that cannot succeed later: the action is stored as failed (`F`), not retried. */
export class Refused extends Error {}
