/** Tuning of the api's side of streaming. */
export const streamingDefaults = {
  /** A `: keep-alive` comment after this long without a byte (a job still queued). */
  keepAliveMs: 15_000,
  /** Redis stream entries (batches of parts) read per XRANGE when catching up. */
  readPageEntries: 256,
  /** A client this many parts behind the stream is cut off with an error event. */
  maxLagParts: 20_000,
  /** An events stream with no progress for this long checks the stream and the job's state. */
  eventsIdleCheckMs: 1000,
  /** How long after a job's deadline an events stream still waits for its end. */
  eventsDeadlineGraceMs: 30_000,
  /** How long a finished stream still waits for its job's result, when the result is kept (the response cache). */
  resultAfterFinishMs: 2000,
};
