import { Inject, Injectable, Logger } from '@nestjs/common';
import { type TenantContext } from '@cloudillo/tenancy';

import { CredentialsRepository } from '../credentials/credentials.repository';
import { RefsService } from '../refs/refs.service';
import { TenantProfiles } from '../tenants/tenant-profiles';
import { CLOCK, type Clock } from '../tokens';
import { type Mailer, MAILER } from './mailer';

const DAY_MS = 24 * 60 * 60 * 1000;
const WELCOME_TTL_MS = 7 * DAY_MS;
const RESET_TTL_MS = 60 * 60 * 1000;

/** Welcome and password-reset links: a one-use ref, mailed to the tenant's address. */
@Injectable()
export class LinksService {
  private readonly logger = new Logger(LinksService.name);

  constructor(
    private readonly refs: RefsService,
    private readonly credentials: CredentialsRepository,
    private readonly profiles: TenantProfiles,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A new tenant's first mail: remembers its address and sends the link that sets the password. */
  async sendWelcome(tenant: TenantContext, email: string): Promise<{ expiresAt: string }> {
    const { idTag } = tenant;
    const { name } = await this.profiles.of(tenant);
    await this.credentials.setEmail(tenant, email);
    const expiresAt = new Date(this.clock().getTime() + WELCOME_TTL_MS);
    const ref = await this.refs.issue(tenant, idTag, { type: 'welcome', count: 1, expiresAt });
    await this.mailer.send({
      to: email,
      subject: `Welcome to Cloudillo, ${name}`,
      text: `Your identity ${idTag} is ready. Set your password here (valid for 7 days):\n${linkFor(idTag, 'welcome', ref.refId)}\n`,
    });
    return { expiresAt: expiresAt.toISOString() };
  }

  /**
   * `POST /api/auth/forgot-password`: mails a reset link when the tenant has an address. Says
   * nothing about whether it had one.
   */
  async sendReset(tenant: TenantContext): Promise<void> {
    const { idTag } = tenant;
    const email = await this.credentials.email(tenant.tnId);
    if (!email) {
      this.logger.log(`password reset for ${idTag}: no address on file`);
      return;
    }
    const expiresAt = new Date(this.clock().getTime() + RESET_TTL_MS);
    const ref = await this.refs.issue(tenant, idTag, { type: 'password', count: 1, expiresAt });
    await this.mailer.send({
      to: email,
      subject: `Reset your Cloudillo password`,
      text: `Someone asked to reset the password of ${idTag}. If it was you, follow this link within an hour:\n${linkFor(idTag, 'reset-password', ref.refId)}\nOtherwise ignore this mail.\n`,
    });
  }
}

function linkFor(idTag: string, page: string, refId: string): string {
  return `https://${idTag}/${page}/${refId}`;
}
