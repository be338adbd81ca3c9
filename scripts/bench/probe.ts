import { request } from 'undici';
import { readEventStream } from './read-event-stream.ts';
import type { Scenario } from './scenarios.ts';
import { requestBody, scenarioHeaders } from './scenarios.ts';
import type { Target } from './targets.ts';

/**
 * One request before the load: proves the target answers this scenario correctly (a
 * completion with text, or an SSE stream with tokens). Returns why not, or undefined.
 */
export async function probe(target: Target, scenario: Scenario): Promise<string | undefined> {
  try {
    const response = await request(`${target.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...scenarioHeaders(scenario), ...target.headers },
      body: requestBody(scenario),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const contentType = String(response.headers['content-type'] ?? '');
    if (response.statusCode !== 200) return `HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`;
    if (scenario.stream) {
      if (!contentType.startsWith('text/event-stream')) return `answered ${contentType}, not text/event-stream`;
      const { tokens } = await readEventStream(response.body);
      return tokens > 0 ? undefined : 'the stream carried no content token';
    }
    // A cached scenario's probe is its first miss: Switchyard must say the cache applied.
    if (scenario.cache && target.name.startsWith('switchyard') && response.headers['x-switchyard-cache'] === undefined)
      return 'the response cache did not apply';
    const body = (await response.body.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
    return typeof body.choices?.[0]?.message?.content === 'string' ? undefined : `unexpected body ${JSON.stringify(body).slice(0, 300)}`;
  } catch (error) {
    return (error as Error).message;
  }
}
