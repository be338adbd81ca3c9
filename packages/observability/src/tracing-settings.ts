// Whether and how a process traces, read from the standard OpenTelemetry variables. Pure, so
// the on/off rules are tested on their own; startTracing turns the result into an SDK.

export type TraceExporterName = 'otlp' | 'console';

export const samplerNames = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type SamplerName = (typeof samplerNames)[number];

/** The batch span processor's knobs (`OTEL_BSP_*`); absent ones keep the SDK's defaults. */
export type BatchSettings = {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
};

export type TracingSettings =
  | { enabled: false; reason: string; warnings: string[] }
  | {
      enabled: true;
      serviceName: string;
      /** Exporters named by the environment; empty when the caller passed its own. */
      exporters: TraceExporterName[];
      /** Where the OTLP exporter posts, when `otlp` is among the exporters. */
      otlpUrl: string;
      sampler: { name: SamplerName; ratio: number };
      batch: BatchSettings;
      /** `OTEL_RESOURCE_ATTRIBUTES`, service name excluded. */
      resourceAttributes: Record<string, string>;
      warnings: string[];
    };

type Environment = Record<string, string | undefined>;

const defaultOtlpUrl = 'http://localhost:4318/v1/traces';
const knownExporters: readonly string[] = ['otlp', 'console'];

const variable = (env: Environment, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

/**
 * Tracing is off unless the environment asks for it: `OTEL_TRACES_EXPORTER` naming `otlp` or
 * `console`, or an OTLP endpoint set. `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none`
 * always turn it off. A caller that passes its own exporter (tests) turns it on.
 */
export function tracingSettings(env: Environment, options: { serviceName: string; exporterGiven?: boolean }): TracingSettings {
  const warnings: string[] = [];
  const off = (reason: string): TracingSettings => ({ enabled: false, reason, warnings });
  if (variable(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return off('OTEL_SDK_DISABLED is true');

  const tracesEndpoint = variable(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = variable(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  let exporters: TraceExporterName[] = [];
  if (!options.exporterGiven) {
    const named = (variable(env, 'OTEL_TRACES_EXPORTER') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean);
    if (named.includes('none')) return off('OTEL_TRACES_EXPORTER is none');
    for (const name of named) {
      if (knownExporters.includes(name)) exporters.push(name as TraceExporterName);
      else warnings.push(`OTEL_TRACES_EXPORTER: "${name}" is not available here (otlp, console or none); ignored`);
    }
    if (named.length === 0 && (tracesEndpoint || endpoint)) exporters = ['otlp'];
    exporters = [...new Set(exporters)];
    if (exporters.length === 0) return off(named.length > 0 ? 'OTEL_TRACES_EXPORTER names no available exporter' : 'no trace exporter configured');
  }

  const protocol = variable(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? variable(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (exporters.includes('otlp') && protocol && protocol !== 'http/json')
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL is ${protocol}: only http/json is built in, so spans are sent as OTLP/HTTP JSON`);

  const resourceAttributes = parseResourceAttributes(variable(env, 'OTEL_RESOURCE_ATTRIBUTES'), warnings);
  const serviceName = variable(env, 'OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? options.serviceName;
  delete resourceAttributes['service.name'];

  return {
    enabled: true,
    serviceName,
    exporters,
    otlpUrl: tracesEndpoint ?? (endpoint ? `${endpoint.replace(/\/+$/, '')}/v1/traces` : defaultOtlpUrl),
    sampler: samplerFrom(env, warnings),
    batch: batchFrom(env, warnings),
    resourceAttributes,
    warnings,
  };
}

function samplerFrom(env: Environment, warnings: string[]): { name: SamplerName; ratio: number } {
  const given = variable(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase();
  let name: SamplerName = 'parentbased_always_on';
  if (given && (samplerNames as readonly string[]).includes(given)) name = given as SamplerName;
  else if (given) warnings.push(`OTEL_TRACES_SAMPLER: "${given}" is not available here (${samplerNames.join(', ')}); using parentbased_always_on`);
  const argument = variable(env, 'OTEL_TRACES_SAMPLER_ARG');
  let ratio = 1;
  if (name.endsWith('traceidratio') && argument !== undefined) {
    const parsed = Number(argument);
    if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) ratio = parsed;
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG: "${argument}" is not a ratio between 0 and 1; using 1`);
  }
  return { name, ratio };
}

const batchVariables: Array<[keyof BatchSettings, string]> = [
  ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
  ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
  ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
  ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
];

function batchFrom(env: Environment, warnings: string[]): BatchSettings {
  const batch: BatchSettings = {};
  for (const [key, name] of batchVariables) {
    const value = variable(env, name);
    if (value === undefined) continue;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed > 0) batch[key] = parsed;
    else warnings.push(`${name}: "${value}" is not a positive whole number; using the default`);
  }
  return batch;
}

/** `key=value,key=value`, values percent-encoded (the OpenTelemetry resource format). */
function parseResourceAttributes(raw: string | undefined, warnings: string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    if (!pair.trim()) continue;
    const separator = pair.indexOf('=');
    const key = separator > 0 ? pair.slice(0, separator).trim() : '';
    try {
      if (!key) throw new Error('no key');
      attributes[decodeURIComponent(key)] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      warnings.push(`OTEL_RESOURCE_ATTRIBUTES: "${pair.trim()}" is not key=value; ignored`);
    }
  }
  return attributes;
}
