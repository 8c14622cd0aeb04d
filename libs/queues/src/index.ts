export { redisConnection } from './redis-connection';
