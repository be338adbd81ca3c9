import type { Migration } from 'kysely';
import * as tenancy from './0001-tenancy.ts';
import * as jobsAndUsage from './0002-jobs-and-usage.ts';
import * as batchesAndFiles from './0003-batches-and-files.ts';
import * as webhooks from './0004-webhooks.ts';
import * as cacheWriteTokens from './0005-cache-write-tokens.ts';
import * as webhookOutbox from './0006-webhook-outbox.ts';
import * as fileChunks from './0007-file-chunks.ts';
import * as batchLines from './0008-batch-lines.ts';
import * as alerts from './0009-alerts.ts';
import * as jobCondensation from './0010-job-condensation.ts';
import * as cacheHits from './0011-cache-hits.ts';

// Append only: a migration that has run anywhere is never edited, a change is a new step.
export const migrations: Record<string, Migration> = {
  '0001-tenancy': tenancy,
  '0002-jobs-and-usage': jobsAndUsage,
  '0003-batches-and-files': batchesAndFiles,
  '0004-webhooks': webhooks,
  '0005-cache-write-tokens': cacheWriteTokens,
  '0006-webhook-outbox': webhookOutbox,
  '0007-file-chunks': fileChunks,
  '0008-batch-lines': batchLines,
  '0009-alerts': alerts,
  '0010-job-condensation': jobCondensation,
  '0011-cache-hits': cacheHits,
};
