/** A verification that cannot succeed later: the action is stored as failed (`F`), not retried. */
export class Refused extends Error {}

/** The action names a parent or subject this tenant does not hold yet: it waits for it. */
export class NotYetHeld extends Error {
  constructor(
    readonly actionId: string,
    message: string,
  ) {
    super(message);
  }
}
