import { context, diag, DiagLogLevel, propagation, trace, type DiagLogFunction } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '@switchyard/logger';
import { tracingSettings, type SamplerName, type TracingSettings } from './tracing-settings.ts';
import { setTracingOn } from './tracing-state.ts';

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

export type Tracing = {
  enabled: boolean;
  /** Flushes the spans still buffered and unregisters the process-wide tracer. */
  shutdown(): Promise<void>;
};

/**
 * Sets up the process-wide tracer provider, with the AsyncLocalStorage context manager (a
 * span started in a request's handler is the parent of what that handler awaits) and the
 * W3C trace-context propagator (the job's carrier). Off unless the environment or an
 * exporter asks for it; off, the spans the code starts are the API's no-ops.
 */
export function startTracing(options: TracingOptions): Tracing {
  const settings = tracingSettings(options.env ?? process.env, { serviceName: options.serviceName, exporterGiven: options.exporter !== undefined });
  for (const warning of settings.warnings) options.logger?.warn(warning);
  if (!settings.enabled) return { enabled: false, shutdown: async () => {} };

  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ ...settings.resourceAttributes, [ATTR_SERVICE_NAME]: settings.serviceName })),
    sampler: samplerOf(settings.sampler.name, settings.sampler.ratio),
    spanProcessors: options.exporter ? [new SimpleSpanProcessor({ exporter: options.exporter })] : processorsOf(settings),
  });
  if (!trace.setGlobalTracerProvider(provider)) throw new Error('tracing is already started in this process');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  setTracingOn(true);
  if (options.logger) diag.setLogger(diagLoggerOf(options.logger), DiagLogLevel.WARN);
  options.logger?.info(
    { serviceName: settings.serviceName, exporters: options.exporter ? ['given'] : settings.exporters, sampler: settings.sampler.name },
    'tracing on',
  );

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown() {
      stopped ??= provider
        .shutdown()
        .catch((error: unknown) => options.logger?.warn({ err: error }, 'could not flush the last spans'))
        .finally(() => {
          setTracingOn(false);
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        });
      return stopped;
    },
  };
}

function processorsOf(settings: Extract<TracingSettings, { enabled: true }>): SpanProcessor[] {
  return settings.exporters.map((name) =>
    name === 'otlp'
      ? new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: settings.otlpUrl }), ...settings.batch })
      : new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }),
  );
}

function samplerOf(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/** The SDK's own complaints (an unreachable collector, a dropped batch) as warnings of the process's log. */
function diagLoggerOf(logger: Logger) {
  const warn: DiagLogFunction = (message, ...details) => logger.warn({ details }, `opentelemetry: ${message}`);
  const ignore: DiagLogFunction = () => {};
  return { error: warn, warn, info: ignore, debug: ignore, verbose: ignore };
}
