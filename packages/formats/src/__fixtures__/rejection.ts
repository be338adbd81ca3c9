import { GatewayError } from '@switchyard/core';

/** The GatewayError a parser throws for `body`; fails the test when it accepts the body. */
export function rejectionOf(parse: (body: unknown) => unknown, body: unknown): GatewayError {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
}
