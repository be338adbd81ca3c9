import { GatewayError, type ErrorCode, type ErrorType } from '@switchyard/core';

/**
 * The envelope type for a stream error part's code. Stream parts carry a plain string
 * code (it may come from an upstream), so an unknown one falls back to `api_error`.
 */
export function errorTypeForCode(code: string): ErrorType {
  try {
    return new GatewayError(code as ErrorCode, '').type;
  } catch {
    return 'api_error';
  }
}
