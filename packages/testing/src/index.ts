export * from './mock-upstream/index.ts';
export { createTestDatabase, type TestDatabase } from './postgres.ts';
export { deletePrefix, testRedis, uniquePrefix, type TestRedis } from './redis.ts';
export { eventually, GiveUp, type EventuallyOptions } from './eventually.ts';
export { lateBound } from './late-bound.ts';
export { connectionError } from './connection-error.ts';
export { freePort } from './free-port.ts';
