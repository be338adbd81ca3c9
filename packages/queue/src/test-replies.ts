// For this package's tests: a finished request's reply, as a worker publishes it.
import type { ReplyMessage } from '@switchyard/core';

export const completedReply = (requestId: string, output: unknown = { text: 'done' }): ReplyMessage => ({
  kind: 'result',
  requestId,
  jobId: requestId,
  status: 'completed',
  output,
  attempts: 1,
});
