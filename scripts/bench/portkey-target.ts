import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { spawnChild, waitForHealth } from './child-process.ts';
import type { Target } from './targets.ts';
import { freePort } from '@switchyard/testing';

const shim = fileURLToPath(new URL('./portkey-fetch-shim.ts', import.meta.url));

/** Where the installed @portkey-ai/gateway (a devDependency of scripts/bench) keeps its server. */
function portkeyServerScript(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@portkey-ai/gateway/build/start-server.js');
}

/**
 * Portkey's open-source gateway (@portkey-ai/gateway) in its own process, headless, routed to
 * the mock upstream per request: `x-portkey-provider: openai` and `x-portkey-custom-host:
 * <mock>/v1`, the upstream key as the Authorization header. No cache, no retries configured.
 */
export async function startPortkey(options: { upstreamUrl: string }): Promise<Target> {
  const port = await freePort();
  const child = spawnChild(
    'portkey',
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', shim, portkeyServerScript(), '--headless', `--port=${port}`],
    { NODE_ENV: 'production' },
  );
  try {
    // Any answer means it listens: GET / says "AI Gateway says hey!".
    await waitForHealth(`http://127.0.0.1:${port}/`, child, 30_000);
    return {
      name: 'portkey',
      url: `http://127.0.0.1:${port}`,
      headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': options.upstreamUrl, authorization: 'Bearer sk-upstream' },
      processes: { portkey: child.pid },
      // It has no Switchyard response cache to ask for: the cache scenario would measure a pass-through.
      serves: (scenario) => !scenario.cache,
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
