import type { ErrorBody } from '@switchyard/core';

export type OpenAIErrorEnvelope = { error: { message: string; type: string; param: string | null; code: string } };

export function renderOpenAIError(error: ErrorBody): OpenAIErrorEnvelope {
  return { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } };
}
