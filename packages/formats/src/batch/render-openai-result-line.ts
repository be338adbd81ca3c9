import type { BatchLineView } from './batch-view.ts';

/** One line of an OpenAI batch output or error file. */
export type OpenAiResultLine = {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string | null; body: unknown } | null;
  error: { code: string; message: string } | null;
};

/** Lines that never got an HTTP answer say why, as OpenAI words them. */
const unansweredErrors = {
  canceled: { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' },
  expired: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
  failed: { code: 'internal_error', message: 'The request failed.' },
} as const;

/** Whether the line belongs in the output file (a success) rather than the error file. */
export function isOpenAiOutputLine(result: BatchLineView): boolean {
  return result.outcome === 'succeeded';
}

/**
 * The line as OpenAI writes it: an answered request carries `response` (its status, request
 * id and body, a success or the endpoint's error envelope) and `error: null`; a line that
 * never got an answer (not JSON, wrong url, cancelled, expired) carries `response: null`
 * and `error`. `id` is `batch_req_<batch id's suffix>-<line index>`, after the line's job id.
 */
export function renderOpenAiResultLine(batchId: string, result: BatchLineView): OpenAiResultLine {
  const id = `batch_req_${(result.requestId ?? `${batchId}-${result.index}`).replace(/^(msg)?batch_/, '')}`;
  if (result.statusCode !== null && (result.outcome === 'succeeded' || result.outcome === 'errored')) {
    return { id, custom_id: result.customId, response: { status_code: result.statusCode, request_id: result.requestId, body: result.body }, error: null };
  }
  const error =
    result.outcome === 'canceled' || result.outcome === 'expired'
      ? unansweredErrors[result.outcome]
      : result.error
        ? { code: result.error.code, message: result.error.message }
        : unansweredErrors.failed;
  return { id, custom_id: result.customId, response: null, error };
}
