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

/** The key a request carries: `Authorization: Bearer`, `x-api-key`, or the config's `auth.apiKeyHeader` (lower-case). */
export function presentedKey(request: Request, extraHeader?: string): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  for (const name of extraHeader ? ['x-api-key', extraHeader] : ['x-api-key']) {
    const header = request.headers[name];
    if (typeof header === 'string' && header.trim().length > 0) return header.trim();
  }
  return undefined;
}

export type AuthenticatorOptions = {
  cacheTtlMs?: number;
  maxEntries?: number;
  /**
   * The shared revocation counter (Redis). A cache entry counts only under the revision it
   * was looked up in, so a revocation on any api process takes effect on every one at once.
   * When it cannot be read, entries fall back to their time-to-live.
   */
  revision?: () => Promise<string>;
  /** One more header that carries the key (`auth.apiKeyHeader`), lower-case. */
  apiKeyHeader?: string;
};

/**
 * API-key authentication with a short in-process cache keyed by the key's hash, so the hot
 * path does not hit Postgres; the revision check keeps it from outliving a revocation.
 */
export function createAuthenticator(lookup: KeyLookup, options: AuthenticatorOptions = {}) {
  const cacheTtlMs = options.cacheTtlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { principal: Principal | undefined; expiresAt: number; revision: string | undefined }>();

  async function currentRevision(): Promise<string | undefined> {
    if (!options.revision) return undefined;
    try {
      return await options.revision();
    } catch {
      return undefined;
    }
  }

  async function resolve(plaintext: string): Promise<Principal | undefined> {
    const hash = createHash('sha256').update(plaintext).digest('hex');
    // Read before the lookup: an entry is never newer than the revision it is stored under.
    const revision = await currentRevision();
    const cached = cache.get(hash);
    if (cached && cached.expiresAt > Date.now() && (revision === undefined || cached.revision === revision)) return cached.principal;
    const principal = await lookup(plaintext);
    cache.delete(hash);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(hash, { principal, expiresAt: Date.now() + cacheTtlMs, revision });
    return principal;
  }

  const middleware = async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    const plaintext = presentedKey(request, options.apiKeyHeader);
    if (!plaintext)
      throw new GatewayError(
        'missing_api_key',
        `missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"${options.apiKeyHeader ? ` or "${options.apiKeyHeader}: <key>"` : ''}`,
      );
    const principal = await resolve(plaintext);
    if (!principal) throw new GatewayError('invalid_api_key', 'invalid API key');
    response.locals.principal = principal;
    next();
  };

  return { middleware, forgetAll: () => cache.clear() };
}

/** The password of an `Authorization: Basic` header (the user name is ignored), or undefined. */
function presentedBasicPassword(request: Request): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

export type OperatorKeyOptions = {
  /** Which key, in messages: `missing admin key`. */
  name: string;
  /** The setting that configures it, named when it is not set. */
  setting: string;
  /** What is off without the key; `<name> API` by default. */
  feature?: string;
  /**
   * Also take the key as the password of HTTP Basic, and answer a missing or wrong key with
   * 401 and `WWW-Authenticate: Basic realm="<realm>"`, so a browser asks for it.
   */
  basicRealm?: string;
};

/** Routes guarded by one operator key from config, compared in constant time. */
export function createOperatorKeyAuthenticator(key: string | undefined, options: OperatorKeyOptions) {
  const expected = key ? createHash('sha256').update(key).digest() : undefined;
  const feature = options.feature ?? `${options.name} API`;
  const challenge = options.basicRealm && `Basic realm="${options.basicRealm}", charset="UTF-8"`;
  const refusal = (response: Response, code: 'missing_api_key' | 'invalid_api_key' | 'permission_denied', message: string): GatewayError => {
    if (challenge && code !== 'permission_denied') response.setHeader('www-authenticate', challenge);
    return new GatewayError(code, message);
  };
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!expected) throw new GatewayError('permission_denied', `${feature} disabled: set ${options.setting}`);
    const plaintext = presentedKey(request) ?? (challenge ? presentedBasicPassword(request) : undefined);
    if (!plaintext) throw refusal(response, 'missing_api_key', `missing ${options.name} key`);
    const presented = createHash('sha256').update(plaintext).digest();
    // A browser asks again only after a 401; an API client is told the key is not this one.
    if (!timingSafeEqual(presented, expected)) throw refusal(response, challenge ? 'invalid_api_key' : 'permission_denied', `not the ${options.name} key`);
    next();
  };
}

export const createAdminAuthenticator = (adminKey: string | undefined) =>
  createOperatorKeyAuthenticator(adminKey, { name: 'admin', setting: 'SWITCHYARD_ADMIN_KEY' });

/** The admin key for people with a browser: HTTP Basic (any user name) as well as a Bearer token. */
export const createAdminBrowserAuthenticator = (adminKey: string | undefined) =>
  createOperatorKeyAuthenticator(adminKey, { name: 'admin', setting: 'SWITCHYARD_ADMIN_KEY', feature: 'dashboard', basicRealm: 'switchyard' });

export function principalOf(response: Response): Principal {
  const principal = response.locals.principal as Principal | undefined;
  if (!principal) throw new GatewayError('missing_api_key', 'not authenticated');
  return principal;
}
