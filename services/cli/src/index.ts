export { resolveRedis } from './embedded-redis.ts';
