import { once } from 'node:events';
import type { Response } from 'express';

/**
 * Writes one JSON object per line as the source yields them, waiting for the socket to drain
 * so a large result set is never held in memory; stops reading when the client goes away.
 */
export async function streamJsonLines(response: Response, lines: AsyncIterable<unknown>): Promise<void> {
  response.status(200).setHeader('content-type', 'application/x-jsonl; charset=utf-8');
  try {
    for await (const line of lines) {
      if (response.destroyed) break;
      if (!response.write(`${JSON.stringify(line)}\n`)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
    }
  } catch (error) {
    // Once bytes are out the envelope cannot be sent: cut the body so the client sees it incomplete.
    if (response.headersSent) {
      response.destroy(error as Error);
      return;
    }
    throw error;
  }
  response.end();
}
