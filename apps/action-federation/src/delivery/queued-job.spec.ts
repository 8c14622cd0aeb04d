import { type PublishJob, type VerifyJob } from './jobs';
import { currentJob, type QueuedJob } from './queued-job';

describe('currentJob', () => {
  const bob = { idTag: 'bob.localhost', tnId: 7 };

  it('reads a job queued by this release as it is', () => {
    const job: VerifyJob = { tenant: bob };
    expect(currentJob<VerifyJob>(job)).toEqual({ tenant: bob });
  });

  it('reads a job queued before the tenant travelled as one value (tnId and id_tag apart)', () => {
    const queued: QueuedJob<PublishJob> = {
      tnId: 7,
      tenant: 'bob.localhost',
      draftId: '@12',
      publishAt: '2026-01-01T00:00:00.000Z',
    };
    expect(currentJob(queued)).toEqual({
      tenant: bob,
      draftId: '@12',
      publishAt: '2026-01-01T00:00:00.000Z',
    });
  });
});
