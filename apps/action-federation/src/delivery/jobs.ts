/** An inbound token waiting for verification; related tokens skip the §2.8 sender check. */
export interface VerifyJob {
  tnId: number;
  tenant: string;
  actionId: string;
  preApproved?: boolean;
  /** The sending address, charged with proof of work when the signature fails (§2.8). */
  from?: string;
}

/** One action to one recipient's inbox, with the tokens it refers to. */
export interface DeliveryJob {
  actionId: string;
  recipient: string;
  token: string;
  related?: string[];
}

/** Recount an action's interactions and broadcast its STAT. */
export interface StatJob {
  tnId: number;
  tenant: string;
  actionId: string;
}
