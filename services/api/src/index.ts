export { createApp } from './create-app.ts';
export { startApi, type RunningApi } from './start-api.ts';
export type { ApiContext } from './context.ts';
export { findFinishedJob, renderFinishedJobObject } from './inference/finished-job-object.ts';
export { createTenancyAdmin, renderKeySummary, renderOrg, type TenancyAdmin } from './routes/admin-tenancy.ts';
export { responseCacheDigest } from './cache/cache-key.ts';
