import { describe, expect, it } from 'vitest';
import { tracingSettings } from './tracing-settings.ts';

const serviceName = 'switchyard-api';
const settingsOf = (env: Record<string, string>, exporterGiven = false) => tracingSettings(env, { serviceName, exporterGiven });

describe('tracingSettings: on or off', () => {
  it('is off with nothing set', () => {
    expect(settingsOf({})).toEqual({ enabled: false, reason: 'no trace exporter configured', warnings: [] });
  });

  it('is on for OTEL_TRACES_EXPORTER=otlp or console, or both', () => {
    expect(settingsOf({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ enabled: true, exporters: ['otlp'], otlpUrl: 'http://localhost:4318/v1/traces' });
    expect(settingsOf({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ enabled: true, exporters: ['console'] });
    expect(settingsOf({ OTEL_TRACES_EXPORTER: ' OTLP , console,otlp' })).toMatchObject({ enabled: true, exporters: ['otlp', 'console'] });
  });

  it('is on with OTLP when only an endpoint is set; the general one gets /v1/traces, the traces one is used as given', () => {
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      enabled: true,
      exporters: ['otlp'],
      otlpUrl: 'http://collector:4318/v1/traces',
    });
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom' })).toMatchObject(
      { enabled: true, otlpUrl: 'http://traces:9999/custom' },
    );
  });

  it('is off for OTEL_TRACES_EXPORTER=none even with an endpoint', () => {
    expect(settingsOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toMatchObject({ enabled: false });
  });

  it('lets OTEL_SDK_DISABLED=true win over everything, a passed exporter included', () => {
    const env = { OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(settingsOf(env)).toMatchObject({ enabled: false, reason: 'OTEL_SDK_DISABLED is true' });
    expect(settingsOf(env, true)).toMatchObject({ enabled: false });
    expect(settingsOf({ ...env, OTEL_SDK_DISABLED: 'false' })).toMatchObject({ enabled: true });
  });

  it('is on with a passed exporter alone, and then exports nowhere else', () => {
    expect(settingsOf({}, true)).toMatchObject({ enabled: true, exporters: [] });
    expect(settingsOf({ OTEL_TRACES_EXPORTER: 'otlp' }, true)).toMatchObject({ enabled: true, exporters: [] });
  });

  it('warns about exporters it does not have and stays off when none is left', () => {
    expect(settingsOf({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      enabled: false,
      reason: 'OTEL_TRACES_EXPORTER names no available exporter',
      warnings: ['OTEL_TRACES_EXPORTER: "zipkin" is not available here (otlp, console or none); ignored'],
    });
    expect(settingsOf({ OTEL_TRACES_EXPORTER: 'jaeger,console' })).toMatchObject({ enabled: true, exporters: ['console'], warnings: [expect.any(String)] });
  });
});

describe('tracingSettings: what an enabled process uses', () => {
  const on = { OTEL_TRACES_EXPORTER: 'otlp' };

  it('names the service as given, unless OTEL_SERVICE_NAME or a service.name resource attribute says otherwise', () => {
    expect(settingsOf(on)).toMatchObject({ serviceName: 'switchyard-api' });
    expect(settingsOf({ ...on, OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' })).toMatchObject({ serviceName: 'from-attributes' });
    expect(settingsOf({ ...on, OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes', OTEL_SERVICE_NAME: 'gateway-eu' })).toMatchObject({
      serviceName: 'gateway-eu',
    });
  });

  it('reads resource attributes (percent-decoded) and reports malformed pairs', () => {
    const settings = settingsOf({ ...on, OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=a%2Cb, broken ,=novalue' });
    expect(settings).toMatchObject({
      resourceAttributes: { 'deployment.environment.name': 'prod', team: 'a,b' },
      warnings: [expect.stringContaining('"broken"'), expect.stringContaining('"=novalue"')],
    });
  });

  it('samples parent-based always-on by default and honours OTEL_TRACES_SAMPLER and its ratio', () => {
    expect(settingsOf(on)).toMatchObject({ sampler: { name: 'parentbased_always_on', ratio: 1 } });
    expect(settingsOf({ ...on, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({
      sampler: { name: 'parentbased_traceidratio', ratio: 0.25 },
    });
    expect(settingsOf({ ...on, OTEL_TRACES_SAMPLER: 'always_off' })).toMatchObject({ sampler: { name: 'always_off' } });
    expect(settingsOf({ ...on, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' })).toMatchObject({
      sampler: { name: 'traceidratio', ratio: 1 },
      warnings: [expect.stringContaining('OTEL_TRACES_SAMPLER_ARG')],
    });
    expect(settingsOf({ ...on, OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toMatchObject({
      sampler: { name: 'parentbased_always_on' },
      warnings: [expect.stringContaining('jaeger_remote')],
    });
  });

  it('takes the batch processor knobs from OTEL_BSP_* and ignores nonsense', () => {
    expect(settingsOf({ ...on, OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64', OTEL_BSP_MAX_QUEUE_SIZE: 'lots' })).toMatchObject({
      batch: { scheduledDelayMillis: 200, maxExportBatchSize: 64 },
      warnings: [expect.stringContaining('OTEL_BSP_MAX_QUEUE_SIZE')],
    });
  });

  it('says so when asked for an OTLP protocol other than the http/json it has', () => {
    expect(settingsOf({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({ warnings: [] });
    expect(settingsOf({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ warnings: [expect.stringContaining('grpc')] });
  });
});
