// Bad input at the HTTP layer (ids, cursors, path encoding, dates, body encodings, nesting,
// requests Node's own parser refuses): always a 4xx in the documented envelope with an
// x-request-id, never a 500 or 503.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});

afterAll(async () => {
  await gateway?.stop();
});

type Answer = { status: number; headers: Headers; body: { error?: { message: string; type: string; param: string | null; code: string } } };

async function http(path: string, init: RequestInit = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${gateway.apiKey}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await fetch(`${gateway.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

/** Sends raw bytes and reads until the server closes: for requests no fetch client would send. */
function rawExchange(bytes: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    // The server may reset the connection once it has answered; what it sent still counts.
    socket.on('error', (error) => chunks.length === 0 && reject(error));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.end(bytes);
  });
}

function expectEnvelope(answer: Answer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.body.error).toMatchObject({ code });
  expect(typeof answer.body.error!.message).toBe('string');
  expect(answer.headers.get('x-request-id')).toMatch(/^req_/);
}

const chat = { model: 'mock-fast', messages: [{ role: 'user', content: 'hello' }] };

describe('ids and cursors', () => {
  it('answers 404 for a job id holding a NUL or other control characters', async () => {
    expectEnvelope(await http('/v1/jobs/abc%00def'), 404, 'not_found');
    expectEnvelope(await http('/v1/jobs/req_%01x'), 404, 'not_found');
    expectEnvelope(await http('/v1/jobs/abc%00def/cancel', { method: 'POST' }), 404, 'not_found');
    expectEnvelope(await http('/v1/jobs/abc%00def/events'), 404, 'not_found');
  });

  it('answers 404 for an id that is far too long', async () => {
    expectEnvelope(await http(`/v1/jobs/${'a'.repeat(300)}`), 404, 'not_found');
  });

  it('answers 400 for a list cursor that cannot be a job id', async () => {
    const answer = await http('/v1/jobs?after=abc%00def');
    expectEnvelope(answer, 400, 'invalid_request');
    expect(answer.body.error!.param).toBe('after');
  });

  it('still answers a well-formed unknown id with 404', async () => {
    expectEnvelope(await http('/v1/jobs/req_doesnotexist'), 404, 'not_found');
  });
});

describe('path encoding', () => {
  it('answers 400 for a malformed percent-encoding in the path', async () => {
    const answer = await http('/v1/jobs/%E0%A4%A');
    expectEnvelope(answer, 400, 'invalid_request');
  });
});

describe('usage dates', () => {
  it.each(['0000-01-01', '-0001-01-01', '10000-01-01'])('answers 400 for from_date=%s', async (day) => {
    const answer = await http(`/v1/usage?from_date=${day}`);
    expectEnvelope(answer, 400, 'invalid_request');
    expect(answer.body.error!.param).toBe('from_date');
  });

  it('still reports for an ordinary range and for the widest one', async () => {
    expect((await http('/v1/usage?from_date=2020-01-01&to_date=2020-01-31')).status).toBe(200);
    expect((await http('/v1/usage?from_date=0001-01-01&to_date=9999-12-31')).status).toBe(200);
  });
});

describe('body encodings', () => {
  it('answers 400 for a gzip body that does not decompress', async () => {
    const answer = await http('/v1/chat/completions', { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: 'definitely not gzip' });
    expectEnvelope(answer, 400, 'invalid_request');
  });

  it('answers 400 for a brotli body that does not decompress', async () => {
    const answer = await http('/v1/chat/completions', { method: 'POST', headers: { 'content-encoding': 'br' }, body: 'definitely not brotli at all' });
    expectEnvelope(answer, 400, 'invalid_request');
  });

  it('answers 415 for a content-encoding the server does not support', async () => {
    const answer = await http('/v1/chat/completions', { method: 'POST', headers: { 'content-encoding': 'x-unknown' }, body: JSON.stringify(chat) });
    expectEnvelope(answer, 415, 'invalid_request');
  });

  it('still accepts a well-formed gzip body', async () => {
    const answer = await http('/v1/chat/completions', { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(chat)) });
    expect(answer.status).toBe(200);
  });
});

describe('nesting', () => {
  it('answers 400 for JSON nested thousands of levels deep', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const body = `{"model":"mock-fast","messages":[{"role":"user","content":"hi"}],"metadata":${deep}}`;
    expectEnvelope(await http('/v1/chat/completions', { method: 'POST', body }), 400, 'invalid_json');
    const job = `{"endpoint":"/v1/chat/completions","body":{"model":"mock-fast","messages":[{"role":"user","content":"hi"}],"x":${deep}}}`;
    expectEnvelope(await http('/v1/jobs', { method: 'POST', body: job }), 400, 'invalid_json');
  });

  it('speaks the Anthropic envelope on /v1/messages', async () => {
    const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': gateway.apiKey, 'content-type': 'application/json' },
      body: `{"model":"mock-fast","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"metadata":${deep}}`,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('requests the HTTP parser refuses', () => {
  it('answers 431 in the JSON envelope with an x-request-id for a 100 KB header', async () => {
    const answer = await rawExchange(`GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.headers['x-request-id']).toMatch(/^req_/);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { type: 'request_too_large', code: 'request_too_large' } });
  });

  it('answers 400 in the JSON envelope for a malformed request line', async () => {
    const answer = await rawExchange('THIS IS NOT HTTP\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers['x-request-id']).toMatch(/^req_/);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_request' } });
  });

  it('answers 400 in the JSON envelope for a malformed header', async () => {
    const answer = await rawExchange('GET /v1/models HTTP/1.1\r\nHost: localhost\r\nBad Header Name: x\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers['x-request-id']).toMatch(/^req_/);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('NUL characters in text the ledger stores', () => {
  type JobList = { data: Array<{ id: string; status: string; metadata: Record<string, string> | null }> };

  it('records the job (NUL as U+FFFD) and does not hold back the records behind it', async () => {
    const tenant = await gateway.createTenant('nul-text');
    const headers = { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' };
    const send = (path: string, body: unknown) => fetch(`${gateway.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const withNul = await send('/v1/chat/completions', { model: 'mock-fast', messages: [{ role: 'user', content: 'a\u0000b' }] });
    expect(withNul.status).toBe(200);
    expect(((await withNul.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toContain('a\u0000b');
    const job = await send('/v1/jobs', {
      endpoint: '/v1/chat/completions',
      metadata: { note: 'x\u0000y' },
      body: { model: 'mock-fast', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(job.status).toBe(202);
    const plain = await send('/v1/chat/completions', { model: 'mock-fast', messages: [{ role: 'user', content: 'plain' }] });
    expect(plain.status).toBe(200);

    // The ledger writes asynchronously: wait (bounded) until it has every job.
    let list: JobList = { data: [] };
    for (let attempt = 0; attempt < 200 && list.data.filter((entry) => entry.status === 'completed').length < 3; attempt++) {
      list = (await (await fetch(`${gateway.url}/v1/jobs`, { headers })).json()) as JobList;
      if (list.data.length < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(list.data.map((entry) => entry.status)).toEqual(['completed', 'completed', 'completed']);
    expect(list.data.map((entry) => entry.metadata?.note).filter(Boolean)).toEqual(['x\uFFFDy']);
  });
});
