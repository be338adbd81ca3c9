import { describe, expect, it } from 'vitest';
import { clientErrorFor, clientErrorResponse } from './client-error.ts';

describe('clientErrorFor', () => {
  it('maps Node parser codes to the statuses Node itself would send', () => {
    expect(clientErrorFor('HPE_HEADER_OVERFLOW').status).toBe(431);
    expect(clientErrorFor('HPE_CHUNK_EXTENSIONS_OVERFLOW').status).toBe(413);
    expect(clientErrorFor('ERR_HTTP_REQUEST_TIMEOUT').status).toBe(408);
    expect(clientErrorFor('HPE_INVALID_METHOD')).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(clientErrorFor(undefined).status).toBe(400);
  });
});

describe('clientErrorResponse', () => {
  it('writes a complete HTTP response with the envelope and the request id', () => {
    const text = clientErrorResponse(clientErrorFor('HPE_HEADER_OVERFLOW'), 'req_abc');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(head).toContain('x-request-id: req_abc');
    expect(head).toContain(`content-length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toEqual({
      error: { message: 'request headers are too large', type: 'request_too_large', param: null, code: 'request_too_large' },
    });
  });
});
