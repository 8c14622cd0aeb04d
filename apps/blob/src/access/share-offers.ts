import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ContractClient, createAction } from '@cloudillo/contracts';
import { type File, type ShareEntry } from '@cloudillo/db-blob';
import { AppError } from '@cloudillo/protocol';
import { JobQueue } from '@cloudillo/queues';
import { type TenantContext } from '@cloudillo/tenancy';

import { type BlobConfig } from '../config';
import { FilesRepository } from '../files/files.repository';
import { BLOB_CONFIG } from '../tokens';
import { SharesRepository } from './shares.repository';

export const SHARE_OFFERS_QUEUE = 'blob.share-offers';

/**
 * A user's share of a file changed; the job tells them how it stands when it runs. The tenant is
 * its tnId and id_tag side by side because jobs already queued carry it so.
 */
export interface ShareOfferJob {
  tnId: number;
  tenant: string;
  /** The file's row number. */
  fId: string;
  /** The user shared with. */
  subjectId: string;
}

/** The FSHR subtype that carries a share's permission (protocol §2.3; none = read). */
const SUB_TYPE: Record<string, string | undefined> = { C: 'COMMENT', W: 'WRITE', A: 'ADMIN' };
const SHAREABLE = new Set(['BLOB', 'CRDT', 'RTDB']);

/**
 * A share with another user is told to them as an FSHR (protocol §2.9), signed and delivered by
 * action-federation; the share entry here is the grant. The offer is queued (`blob.share-offers`,
 * retried with backoff) so a share is never lost to a moment when action-federation is away, and
 * each job sends the share as it stands when it runs — an FSHR with its permission, or `FSHR:DEL`
 * once it is gone — so jobs may run late, twice or out of order. A file still getting its content
 * id waits. Shares with links, files, the tenant itself, and of folders are not announced.
 */
@Injectable()
export class ShareOffers implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ShareOffers.name);
  private jobs?: JobQueue<ShareOfferJob>;

  constructor(
    private readonly files: FilesRepository,
    private readonly shares: SharesRepository,
    private readonly rpc: ContractClient,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {}

  onModuleInit(): void {
    this.jobs = new JobQueue<ShareOfferJob>(
      SHARE_OFFERS_QUEUE,
      {
        redisUrl: this.config.redisUrl,
        prefix: this.config.queuePrefix,
        worker: this.config.workers,
        onFailed: (job, error) =>
          this.logger.warn(
            `telling ${job?.subjectId ?? '?'} about a share failed: ${error.message}`,
          ),
      },
      (job) => this.send(job),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }

  /** A share changed (made, changed, removed): the user it is with hears of it, if anyone does. */
  async changed(
    tenant: TenantContext,
    file: File,
    { subjectType, subjectId }: Pick<ShareEntry, 'subjectType' | 'subjectId'>,
  ): Promise<void> {
    if (subjectType !== 'U' || subjectId === tenant.idTag || !SHAREABLE.has(file.fileTp)) return;
    await this.jobs?.add(
      'offer',
      { tnId: tenant.tnId, tenant: tenant.idTag, fId: file.fId.toString(), subjectId },
      {
        attempts: 12,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
  }

  /** The job: the share as it stands now. */
  async send({ tnId, tenant, fId, subjectId }: ShareOfferJob): Promise<void> {
    const file = await this.files.findFileByRow(tnId, BigInt(fId));
    if (!file || file.status === 'D') return; // gone: its shares went with it
    if (file.status !== 'A' || file.fileId.startsWith('@'))
      throw new AppError('E-SYS-UNAVAIL', `${file.fileId} has no content id yet`);
    const [share] = await this.shares.forUser(tnId, [file.fId], subjectId, new Date());
    const subType = share ? SUB_TYPE[share.permission] : 'DEL';
    await this.rpc.request(createAction, {
      tenant,
      type: 'FSHR',
      ...(subType ? { subType } : {}),
      audienceTag: subjectId,
      subject: file.fileId,
      content: { contentType: file.contentType, fileName: file.fileName, fileTp: file.fileTp },
    });
  }
}
