import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tracingModule = fileURLToPath(new URL('./tracing.ts', import.meta.url));

// In a fresh Node process: start tracing with `env`, stop it, print every module URL loaded.
async function modulesLoadedWith(env: Record<string, string>): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const { startTracing } = await import(${JSON.stringify(tracingModule)});
    const tracing = await startTracing({ serviceName: 'loading-test', env: ${JSON.stringify(env)} });
    await tracing.shutdown();
    process.stdout.write(JSON.stringify({ enabled: tracing.enabled, loaded }));
  `;
  const { stdout } = await run(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '--eval', script]);
  const result = JSON.parse(stdout) as { enabled: boolean; loaded: string[] };
  return result.enabled ? result.loaded : result.loaded.map((url) => `(off) ${url}`);
}

const isSdk = (url: string) => /@opentelemetry[+/](sdk-trace|exporter-trace-otlp-http|context-async-hooks|resources)/.test(url);

describe('loading the tracing SDK', () => {
  it('loads none of the OpenTelemetry SDK with tracing off: every thread and process without OTEL_* stays small', async () => {
    const loaded = await modulesLoadedWith({});
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.every((url) => url.startsWith('(off) '))).toBe(true);
    expect(loaded.filter(isSdk)).toEqual([]);
  }, 30_000);

  it('loads it when the environment turns tracing on', async () => {
    const loaded = await modulesLoadedWith({ OTEL_TRACES_EXPORTER: 'console' });
    expect(loaded.some(isSdk)).toBe(true);
  }, 30_000);
});
