export * from './canonical.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './jobs.ts';
export * from './pricing.ts';
export * from './storable-text.ts';
export * from './usage.ts';
export { mockEmbedding } from './mock-embedding.ts';
export * from './request-records.ts';
