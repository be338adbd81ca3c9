import { describe, expect, it } from 'vitest';
import type { BatchLineView, BatchView } from './batch-view.ts';
import { renderAnthropicBatch } from './render-anthropic-batch.ts';
import { renderAnthropicResultLine } from './render-anthropic-result-line.ts';
import { renderOpenAiBatch } from './render-openai-batch.ts';
import { isOpenAiOutputLine, renderOpenAiResultLine } from './render-openai-result-line.ts';

const created = Date.UTC(2026, 11, 1, 12, 0, 0, 250);

function batch(overrides: Partial<BatchView> = {}): BatchView {
  return {
    id: 'batch_abc',
    endpoint: '/v1/chat/completions',
    status: 'in_progress',
    inputFileId: 'file-in',
    outputFileId: null,
    errorFileId: null,
    completionWindow: '24h',
    counts: { total: 10, completed: 3, failed: 1, cancelled: 0, expired: 0 },
    errors: null,
    metadata: { team: 'blog' },
    createdAt: created,
    inProgressAt: created + 1500,
    finalizingAt: null,
    completedAt: null,
    failedAt: null,
    expiredAt: null,
    cancellingAt: null,
    cancelledAt: null,
    expiresAt: created + 24 * 3600_000,
    usage: null,
    costUsd: null,
    ...overrides,
  };
}

function line(overrides: Partial<BatchLineView> = {}): BatchLineView {
  return { index: 4, customId: 'c-4', outcome: 'succeeded', requestId: 'batch_abc-4', statusCode: 200, body: { id: 'chatcmpl-1' }, error: null, ...overrides };
}

describe('renderOpenAiBatch', () => {
  it('renders Unix seconds, nulls for what has not happened, and OpenAI counts', () => {
    const object = renderOpenAiBatch(batch());
    expect(object).toEqual({
      id: 'batch_abc',
      object: 'batch',
      endpoint: '/v1/chat/completions',
      errors: null,
      input_file_id: 'file-in',
      completion_window: '24h',
      status: 'in_progress',
      output_file_id: null,
      error_file_id: null,
      created_at: Math.floor(created / 1000),
      in_progress_at: Math.floor((created + 1500) / 1000),
      expires_at: Math.floor(created / 1000) + 24 * 3600,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 10, completed: 3, failed: 1 },
      metadata: { team: 'blog' },
      usage: null,
      cost_usd: null,
    });
  });

  it('counts cancelled and expired lines in neither completed nor failed, as OpenAI', () => {
    const object = renderOpenAiBatch(batch({ status: 'cancelled', counts: { total: 10, completed: 3, failed: 1, cancelled: 4, expired: 2 } }));
    expect(object.request_counts).toEqual({ total: 10, completed: 3, failed: 1 });
  });

  it('renders errors as a list and usage with its details', () => {
    const object = renderOpenAiBatch(
      batch({
        status: 'failed',
        errors: { object: 'list', data: [{ code: 'invalid_file', message: 'not JSONL', line: 2 }] },
        usage: { input_tokens: 30, output_tokens: 12, total_tokens: 42, cached_input_tokens: 5 },
        costUsd: '0.000123',
      }),
    );
    expect(object.errors).toEqual({ object: 'list', data: [{ code: 'invalid_file', message: 'not JSONL', param: null, line: 2 }] });
    expect(object.usage).toEqual({
      input_tokens: 30,
      input_tokens_details: { cached_tokens: 5 },
      output_tokens: 12,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 42,
    });
    expect(object.cost_usd).toBe('0.000123');
  });
});

describe('renderOpenAiResultLine', () => {
  it('puts successes in the output file with the response body', () => {
    expect(isOpenAiOutputLine(line())).toBe(true);
    expect(renderOpenAiResultLine('batch_abc', line())).toEqual({
      id: 'batch_req_abc-4',
      custom_id: 'c-4',
      response: { status_code: 200, request_id: 'batch_abc-4', body: { id: 'chatcmpl-1' } },
      error: null,
    });
  });

  it('keeps an answered failure as its response, in the error file', () => {
    const failed = line({
      outcome: 'errored',
      statusCode: 404,
      body: { error: { message: 'no model', type: 'not_found_error', param: 'model', code: 'model_not_found' } },
    });
    expect(isOpenAiOutputLine(failed)).toBe(false);
    expect(renderOpenAiResultLine('batch_abc', failed)).toMatchObject({
      response: { status_code: 404, body: { error: { code: 'model_not_found' } } },
      error: null,
    });
  });

  it('gives a line that never became a request a stable id and its error', () => {
    const unparsed = line({
      customId: null,
      outcome: 'errored',
      requestId: null,
      statusCode: null,
      body: null,
      error: { code: 'invalid_json', message: 'line 5 is not JSON' },
    });
    expect(renderOpenAiResultLine('batch_abc', unparsed)).toEqual({
      id: 'batch_req_abc-4',
      custom_id: null,
      response: null,
      error: { code: 'invalid_json', message: 'line 5 is not JSON' },
    });
  });

  it('words cancelled and expired lines as OpenAI does', () => {
    const unanswered = { requestId: null, statusCode: null, body: null } as const;
    expect(renderOpenAiResultLine('batch_abc', line({ ...unanswered, outcome: 'expired' })).error?.code).toBe('batch_expired');
    expect(renderOpenAiResultLine('batch_abc', line({ ...unanswered, outcome: 'canceled', error: { code: 'cancelled', message: 'x' } })).error?.code).toBe(
      'batch_cancelled',
    );
  });
});

describe('renderAnthropicBatch', () => {
  const url = 'http://gw/v1/messages/batches/msgbatch_1/results';

  it('renders an unfinished batch: in_progress, processing count, no results_url', () => {
    const object = renderAnthropicBatch(batch({ id: 'msgbatch_1', status: 'finalizing' }), url);
    expect(object).toEqual({
      id: 'msgbatch_1',
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: 6, succeeded: 3, errored: 1, canceled: 0, expired: 0 },
      ended_at: null,
      created_at: '2026-12-01T12:00:00.250Z',
      expires_at: '2026-12-02T12:00:00.250Z',
      cancel_initiated_at: null,
      archived_at: null,
      results_url: null,
    });
  });

  it('renders a cancelling batch as canceling with the time it was asked', () => {
    const object = renderAnthropicBatch(batch({ status: 'cancelling', cancellingAt: created + 60_000 }), url);
    expect(object.processing_status).toBe('canceling');
    expect(object.cancel_initiated_at).toBe('2026-12-01T12:01:00.250Z');
  });

  it.each(['completed', 'cancelled', 'expired', 'failed'] as const)('renders a %s batch as ended, with results_url and no processing', (status) => {
    const endedAt = created + 120_000;
    const times = { completed: { completedAt: endedAt }, cancelled: { cancelledAt: endedAt }, expired: { expiredAt: endedAt }, failed: { failedAt: endedAt } };
    const object = renderAnthropicBatch(batch({ status, ...times[status], counts: { total: 10, completed: 3, failed: 1, cancelled: 4, expired: 0 } }), url);
    expect(object).toMatchObject({
      processing_status: 'ended',
      ended_at: '2026-12-01T12:02:00.250Z',
      results_url: url,
      request_counts: { processing: 0, succeeded: 3, errored: 1, canceled: 4, expired: 0 },
    });
  });
});

describe('renderAnthropicResultLine', () => {
  it('renders a success with the message', () => {
    expect(renderAnthropicResultLine(line({ body: { id: 'msg_1', type: 'message' } }))).toEqual({
      custom_id: 'c-4',
      result: { type: 'succeeded', message: { id: 'msg_1', type: 'message' } },
    });
  });

  it("keeps the endpoint's own Anthropic error envelope", () => {
    const failed = line({ outcome: 'errored', statusCode: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'no model' } } });
    expect(renderAnthropicResultLine(failed).result).toEqual({
      type: 'errored',
      error: { type: 'error', error: { type: 'not_found_error', message: 'no model' }, request_id: 'batch_abc-4' },
    });
  });

  it('maps a gateway error type, or else the status, to an Anthropic error type; a line refused before it ran is invalid_request_error', () => {
    const byType = line({ outcome: 'errored', statusCode: 502, body: null, error: { code: 'upstream_error', type: 'upstream_error', message: 'bad gateway' } });
    expect(renderAnthropicResultLine(byType).result).toMatchObject({ error: { error: { type: 'api_error', message: 'bad gateway' } } });
    const byStatus = line({ outcome: 'errored', statusCode: 429, body: null, error: { code: 'rate_limited', message: 'slow down' } });
    expect(renderAnthropicResultLine(byStatus).result).toMatchObject({ error: { error: { type: 'rate_limit_error' } } });
    const refused = line({ outcome: 'errored', requestId: null, statusCode: null, body: null, error: { code: 'invalid_json', message: 'not JSON' } });
    expect(renderAnthropicResultLine(refused).result).toMatchObject({
      error: { error: { type: 'invalid_request_error', message: 'not JSON' }, request_id: null },
    });
    const unknownModel = line({ outcome: 'errored', statusCode: null, body: null, error: { code: 'model_not_found', message: 'no model x' } });
    expect(renderAnthropicResultLine(unknownModel).result).toMatchObject({ error: { error: { type: 'not_found_error', message: 'no model x' } } });
  });

  it('renders canceled and expired lines bare', () => {
    expect(renderAnthropicResultLine(line({ outcome: 'canceled' })).result).toEqual({ type: 'canceled' });
    expect(renderAnthropicResultLine(line({ outcome: 'expired' })).result).toEqual({ type: 'expired' });
  });
});
