import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '@switchyard/core';

/** What a valid key resolves to; cached briefly so the hot path does not hit Postgres. */
export type Principal = {
  keyId: string;
  orgId: string;
  org: { monthlyBudgetUsd: string | null; rpmLimit: number | null; tpmLimit: number | null };
};

export type KeyLookup = (plaintext: string) => Promise<Principal | undefined>;

export function presentedKey(request: Request): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header.trim() : undefined;
}

/**
 * API-key authentication with a short in-process cache keyed by the key's hash, so a
 * revoked key stops working within `cacheTtlMs` on every api process (at once on the
 * process that revoked it, through `forget`).
 */
export function createAuthenticator(lookup: KeyLookup, options: { cacheTtlMs?: number; maxEntries?: number } = {}) {
  const cacheTtlMs = options.cacheTtlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { principal: Principal | undefined; expiresAt: number }>();

  async function resolve(plaintext: string): Promise<Principal | undefined> {
    const hash = createHash('sha256').update(plaintext).digest('hex');
    const cached = cache.get(hash);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    const principal = await lookup(plaintext);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(hash, { principal, expiresAt: Date.now() + cacheTtlMs });
    return principal;
  }

  const middleware = async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    const plaintext = presentedKey(request);
    if (!plaintext) throw new GatewayError('missing_api_key', 'missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    const principal = await resolve(plaintext);
    if (!principal) throw new GatewayError('invalid_api_key', 'invalid API key');
    response.locals.principal = principal;
    next();
  };

  return { middleware, forgetAll: () => cache.clear() };
}

/** Routes guarded by one operator key from config, compared in constant time. */
export function createOperatorKeyAuthenticator(key: string | undefined, options: { name: string; setting: string }) {
  const expected = key ? createHash('sha256').update(key).digest() : undefined;
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (!expected) throw new GatewayError('permission_denied', `${options.name} API disabled: set ${options.setting}`);
    const plaintext = presentedKey(request);
    if (!plaintext) throw new GatewayError('missing_api_key', `missing ${options.name} key`);
    const presented = createHash('sha256').update(plaintext).digest();
    if (!timingSafeEqual(presented, expected)) throw new GatewayError('permission_denied', `not the ${options.name} key`);
    next();
  };
}

export const createAdminAuthenticator = (adminKey: string | undefined) =>
  createOperatorKeyAuthenticator(adminKey, { name: 'admin', setting: 'SWITCHYARD_ADMIN_KEY' });

export function principalOf(response: Response): Principal {
  const principal = response.locals.principal as Principal | undefined;
  if (!principal) throw new GatewayError('missing_api_key', 'not authenticated');
  return principal;
}
