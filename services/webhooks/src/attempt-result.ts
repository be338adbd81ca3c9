/** What one HTTP attempt came to, before any decision about the delivery. */
export type AttemptResult =
  /** The receiver answered with a status line (the body was read at most a few KiB). */
  | { kind: 'response'; status: number; retryAfter?: string }
  /** No answer within the attempt's budget (`webhooks.timeoutMs`). */
  | { kind: 'timeout'; timeoutMs: number }
  /** The connection failed or broke (refused, reset, DNS failure, TLS error). */
  | { kind: 'error'; message: string }
  /** The SSRF guard refused the destination: no connection was made. */
  | { kind: 'refused'; reason: string };
