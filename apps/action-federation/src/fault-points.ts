import { Inject, Injectable } from '@nestjs/common';

import { type FederationConfig } from './config';
import { FED_CONFIG } from './tokens';

/** Where a crash test may have this process die (`FED_FAULT_POINT`): never set in deployment. */
export type FaultPoint = 'after-store';

/**
 * A fault point for crash tests: when `FED_FAULT_POINT` names the point reached, the process is
 * killed on the spot (SIGKILL, no shutdown hooks), as a power cut or the OOM killer would.
 */
@Injectable()
export class FaultPoints {
  constructor(@Inject(FED_CONFIG) private readonly config: FederationConfig) {}

  hit(point: FaultPoint): void {
    if (this.config.faultPoint === point) process.kill(process.pid, 'SIGKILL');
  }
}
