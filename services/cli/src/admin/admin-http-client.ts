import type { AdminOperations } from './admin-operations.ts';

type ErrorEnvelope = { error?: { message?: string } };

/** The admin operations through a running instance's admin API (`/v1/admin`). */
export function createHttpAdmin(options: { url: string; adminKey: string }): AdminOperations {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${options.url}/v1/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${options.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new Error(`the running switchyard at ${options.url} did not answer: ${(error as Error).message}`);
    }
    const answer = (await response.json().catch(() => ({}))) as T & ErrorEnvelope;
    if (!response.ok) throw new Error(answer.error?.message ?? `admin API answered ${response.status}`);
    return answer;
  }
  const list = async <T>(path: string): Promise<T[]> => (await call<{ data: T[] }>('GET', path)).data;
  const segment = encodeURIComponent;
  return {
    listOrgs: () => list('/orgs'),
    createOrg: (body) => call('POST', '/orgs', body),
    updateOrg: (id, body) => call('PATCH', `/orgs/${segment(id)}`, body),
    listKeys: (orgId) => list(`/orgs/${segment(orgId)}/keys`),
    createKey: (orgId, body) => call('POST', `/orgs/${segment(orgId)}/keys`, body),
    revokeKey: (id) => call('DELETE', `/keys/${segment(id)}`),
    close: async () => {},
  };
}
