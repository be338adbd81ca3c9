/** Something the load generator can aim at: a base URL, its auth header, the processes whose CPU it costs. */
export type Target = {
  name: 'passthrough' | 'switchyard';
  url: string;
  headers: Record<string, string>;
  /** Process id per role (api, worker, redis-server, proxy): their CPU time is the target's cost. */
  processes: Record<string, number>;
  stop(): Promise<void>;
};
