import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from '@switchyard/logger';
import type { Tracing } from './tracing-sdk.ts';
import { tracingSettings } from './tracing-settings.ts';

export type TracingOptions = {
  /** `switchyard-api`, `switchyard-worker`, ...; `OTEL_SERVICE_NAME` overrides it. */
  serviceName: string;
  /** The variables to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Exports every ended span to this exporter at once (tests), whatever the environment names. */
  exporter?: SpanExporter;
  /** Where the settings, and the SDK's own export failures, are reported. */
  logger?: Logger;
};

export type { Tracing } from './tracing-sdk.ts';

/**
 * Sets up the process-wide tracer provider, with the AsyncLocalStorage context manager (a
 * span started in a request's handler is the parent of what that handler awaits) and the
 * W3C trace-context propagator (the job's carrier). Off unless the environment or an
 * exporter asks for it; off, the spans the code starts are the API's no-ops and the SDK is
 * never loaded (tracing-sdk.ts).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const settings = tracingSettings(options.env ?? process.env, { serviceName: options.serviceName, exporterGiven: options.exporter !== undefined });
  for (const warning of settings.warnings) options.logger?.warn(warning);
  if (!settings.enabled) return { enabled: false, shutdown: async () => {} };
  const { startTracingSdk } = await import('./tracing-sdk.ts');
  return startTracingSdk(settings, options);
}
