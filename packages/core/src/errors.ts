// The error taxonomy: every failure the gateway reports is a GatewayError with a stable
// code, the HTTP status it maps to, the envelope type, and whether retrying may help.

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'idempotency_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'upstream_error'
  | 'overloaded'
  | 'timeout';

export type ErrorCode =
  | 'invalid_request'
  | 'context_length_exceeded'
  | 'invalid_json'
  | 'unsupported_parameter'
  | 'invalid_api_key'
  | 'missing_api_key'
  | 'permission_denied'
  | 'not_found'
  | 'model_not_found'
  | 'idempotency_key_in_use'
  | 'idempotency_key_reused'
  | 'request_too_large'
  | 'file_too_large'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'queue_full'
  | 'internal_error'
  | 'upstream_error'
  | 'upstream_rate_limited'
  | 'upstream_overloaded'
  | 'upstream_timeout'
  | 'upstream_unreachable'
  | 'provider_unavailable'
  | 'cancelled'
  | 'expired'
  | 'timeout';

const typeAndStatusByCode: Record<ErrorCode, [ErrorType, number]> = {
  invalid_request: ['invalid_request_error', 400],
  /** The request is longer than the model's context (the provider said so, or the gateway's estimate). */
  context_length_exceeded: ['invalid_request_error', 400],
  invalid_json: ['invalid_request_error', 400],
  unsupported_parameter: ['invalid_request_error', 400],
  invalid_api_key: ['authentication_error', 401],
  missing_api_key: ['authentication_error', 401],
  permission_denied: ['permission_error', 403],
  not_found: ['not_found_error', 404],
  model_not_found: ['not_found_error', 404],
  idempotency_key_in_use: ['idempotency_error', 409],
  idempotency_key_reused: ['idempotency_error', 422],
  request_too_large: ['request_too_large', 413],
  file_too_large: ['request_too_large', 413],
  rate_limited: ['rate_limit_error', 429],
  budget_exceeded: ['rate_limit_error', 429],
  queue_full: ['rate_limit_error', 429],
  internal_error: ['api_error', 500],
  upstream_error: ['upstream_error', 502],
  upstream_rate_limited: ['rate_limit_error', 429],
  upstream_overloaded: ['overloaded', 503],
  upstream_timeout: ['timeout', 504],
  upstream_unreachable: ['upstream_error', 502],
  provider_unavailable: ['overloaded', 503],
  cancelled: ['invalid_request_error', 499],
  expired: ['timeout', 504],
  timeout: ['timeout', 504],
};

export type ErrorBody = {
  code: ErrorCode;
  type: ErrorType;
  status: number;
  message: string;
  param?: string | null;
  retryable?: boolean;
  retryAfterMs?: number;
};

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly type: ErrorType;
  readonly status: number;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { param?: string | null; retryable?: boolean; retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    const [type, status] = typeAndStatusByCode[code];
    this.code = code;
    this.type = type;
    this.status = options.status ?? status;
    this.param = options.param ?? null;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, type: this.type, status: this.status, message: this.message, param: this.param, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }

  static fromBody(body: ErrorBody): GatewayError {
    return new GatewayError(body.code, body.message, body);
  }
}

/**
 * An error returned by an upstream provider. `upstreamStatus` is what the provider sent;
 * `status` is what we answer our client with. `detail` is the provider's error message,
 * already stripped of anything secret, safe to show.
 */
export class ProviderError extends GatewayError {
  readonly provider: string;
  readonly upstreamStatus: number | undefined;
  readonly detail: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      provider: string;
      upstreamStatus?: number;
      detail?: string;
      retryable: boolean;
      retryAfterMs?: number;
      status?: number;
      cause?: unknown;
    },
  ) {
    super(code, message, options);
    this.name = 'ProviderError';
    this.provider = options.provider;
    this.upstreamStatus = options.upstreamStatus;
    this.detail = options.detail;
  }

  /** The provider's own (already scrubbed) words help the client fix a rejected request. */
  override toBody(): ErrorBody {
    const body = super.toBody();
    if (this.detail && (this.code === 'invalid_request' || this.code === 'context_length_exceeded')) body.message = `${this.message}: ${this.detail}`;
    return body;
  }
}

export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('internal_error', 'internal error', { cause: error });
}
