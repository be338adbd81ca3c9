import { describe, expect, it } from 'vitest';
import type { InferenceJobData } from './jobs.ts';
import { jobRecordOf, replyFromJobRecord, replyOf } from './request-records.ts';

const data: InferenceJobData = {
  requestId: 'req_1',
  orgId: 'org_1',
  keyId: 'key_1',
  endpoint: '/v1/chat/completions',
  mode: 'sync',
  stream: false,
  requestedModel: 'fast',
  call: { kind: 'chat', request: { model: 'fast', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] } },
  routes: [{ provider: 'mock', model: 'fast', upstreamModel: 'fast' }],
  routeIndex: 0,
  createdAt: 1_000,
  deadline: 121_000,
};

describe('replyFromJobRecord', () => {
  it('rebuilds the reply the worker published from the ledger record of a finished job', () => {
    const outcome = {
      status: 'completed' as const,
      output: { id: 'chatcmpl-1', choices: [] },
      provider: 'mock',
      model: 'fast',
      attempts: 2,
      usage: { inputTokens: 3, outputTokens: 4 },
      startedAt: 1_010,
      completedAt: 1_050,
    };
    expect(replyFromJobRecord(jobRecordOf(data, outcome))).toEqual(replyOf(data, 'req_1', outcome));
  });

  it('has no reply while the record is not final', () => {
    expect(replyFromJobRecord(jobRecordOf(data, undefined))).toBeUndefined();
    expect(replyFromJobRecord(jobRecordOf(data, { status: 'forwarded', attempts: 1, completedAt: 1_020 }))).toBeUndefined();
  });
});
