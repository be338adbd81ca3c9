// Whether this thread's tracing is on: set by startTracing, cleared by its shutdown. With
// tracing off the span helpers skip the OpenTelemetry API altogether (no no-op spans, no
// attribute objects, no context switches): the hot path pays nothing for tracing it lacks.
let on = false;

export const tracingOn = (): boolean => on;

export function setTracingOn(value: boolean): void {
  on = value;
}
