// The OpenTelemetry SDK half of startTracing (tracing.ts): imported only when tracing is on,
// so a process or thread with tracing off never loads the SDK, its exporter or their
// dependencies (~17-28 MB of memory per isolate, measured by importing them in a bare Node).
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
import type { SamplerName, TracingSettings } from './tracing-settings.ts';
import { setTracingOn } from './tracing-state.ts';

export type Tracing = {
  enabled: boolean;
  /** Flushes the spans still buffered and unregisters the process-wide tracer. */
  shutdown(): Promise<void>;
};

/** Registers the process-wide (isolate-wide) tracer provider, context manager and propagator. */
export function startTracingSdk(settings: Extract<TracingSettings, { enabled: true }>, options: { exporter?: SpanExporter; logger?: Logger }): Tracing {
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
