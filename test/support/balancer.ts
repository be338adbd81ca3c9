import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** A connection that failed before any answer: refused, or a kept-alive one closed under the request. */
export type ConnectionFailure = { api: number; code: string; at: number };

export type BalancedAnswer = {
  /** The api (index into the balancer's URLs) that answered. */
  api: number;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Tries that failed at the connection before this answer, each sent on to the next api. */
  failures: ConnectionFailure[];
};

export type Balancer = {
  /** POSTs JSON to `api` (round robin when absent); a connection failure sends it on to the next api. */
  post(path: string, body: unknown, options?: { api?: number }): Promise<BalancedAnswer>;
  /** Tries outstanding per api (sent, no answer or failure yet). */
  inFlight(api: number): number;
  close(): void;
};

/** What the client saw of one try: an answer, or a failure before any byte of one. */
type Attempt = { answer: Omit<BalancedAnswer, 'api' | 'failures'> } | { failure: string };

const maxTries = 8;

/**
 * Sends requests over several api processes as a load balancer does: round robin over
 * kept-alive connections, and a try whose connection fails before any answer (refused: the
 * api stopped listening; reset: it closed an idle kept-alive connection as the request went
 * out) goes on to the next api. A draining api never closes a connection holding a request
 * it has read, so sending such a try on cannot run it twice; a test proves that from the
 * ledger (a request read and then cut would leave a job that no answer names). A connection
 * cut once the answer has begun is not sent on: it rejects.
 */
export function createBalancer(urls: string[], apiKey: string): Balancer {
  const agents = urls.map(() => new Agent({ keepAlive: true }));
  const outstanding = urls.map(() => 0);
  let turn = 0;

  const attempt = (api: number, path: string, payload: string): Promise<Attempt> =>
    new Promise((resolve, reject) => {
      const target = new URL(path, urls[api]);
      let answered = false;
      const outgoing = httpRequest(
        target,
        {
          method: 'POST',
          agent: agents[api],
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (response) => {
          answered = true;
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ answer: { status: response.statusCode ?? 0, headers: response.headers, body } }));
          response.on('error', (error) => reject(new Error(`the answer from api ${api} was cut: ${error.message}`, { cause: error })));
          response.on('aborted', () => reject(new Error(`the answer from api ${api} was cut`)));
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (answered) return;
        resolve({ failure: error.code ?? error.message });
      });
      outgoing.end(payload);
    });

  return {
    async post(path, body, options = {}) {
      const payload = JSON.stringify(body);
      const failures: ConnectionFailure[] = [];
      let api = options.api ?? turn++ % urls.length;
      for (let tries = 0; tries < maxTries; tries++) {
        const target = api;
        outstanding[target]! += 1;
        const outcome = await attempt(target, path, payload).finally(() => (outstanding[target]! -= 1));
        if ('answer' in outcome) return { api: target, ...outcome.answer, failures };
        failures.push({ api: target, code: outcome.failure, at: Date.now() });
        api = (target + 1) % urls.length;
      }
      throw new Error(`no api took the request: ${JSON.stringify(failures)}`);
    },
    inFlight: (api) => outstanding[api] ?? 0,
    close() {
      for (const agent of agents) agent.destroy();
    },
  };
}
