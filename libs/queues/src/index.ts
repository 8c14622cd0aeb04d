export { JobQueue, type JobQueueOptions } from './job-queue';
export { redisConnection } from './redis-connection';
