import { fileURLToPath } from 'node:url';
import { spawnNode } from './child-process.ts';
import type { Target } from './targets.ts';

const proxyScript = fileURLToPath(new URL('./passthrough-proxy.ts', import.meta.url));

/** The baseline proxy (passthrough-proxy.ts) in its own process. */
export async function startPassthrough(options: { upstreamUrl: string }): Promise<Target> {
  const proxy = spawnNode('passthrough', proxyScript, [options.upstreamUrl], {});
  try {
    const { url } = await proxy.ready<{ url: string }>();
    return { name: 'passthrough', url, headers: {}, processes: { proxy: proxy.pid }, stop: () => proxy.stop() };
  } catch (error) {
    await proxy.stop();
    throw error;
  }
}
