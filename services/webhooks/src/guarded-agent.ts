import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookAllowList } from '@switchyard/core';
import { Agent, buildConnector } from 'undici';
import { destinationRefusal } from './destination-refusal.ts';

/** Raised instead of opening a socket to a destination the SSRF guard refuses. */
export class DestinationRefusedError extends Error {
  readonly code = 'ERR_WEBHOOK_DESTINATION_REFUSED';
  readonly reason: string;
  constructor(reason: string) {
    super(`webhook destination refused: ${reason}`);
    this.name = 'DestinationRefusedError';
    this.reason = reason;
  }
}

const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/**
 * The dispatcher of every webhook request. Its connector decides at connect time, on the
 * addresses the name resolves to at that moment, so a name that changes its answer (DNS
 * rebinding) is judged on what the socket would really reach: a literal address is checked
 * before connecting, a name through a `lookup` that checks every resolved address and
 * fails the connect when one is refused. No socket is opened to a refused address.
 * Connections are kept alive; a reused socket was checked when it was opened.
 */
export function createGuardedAgent(options: { allow: WebhookAllowList; timeoutMs: number; connections?: number }): Agent {
  const connectors = new Map<number, buildConnector.connector>();
  const connectorFor = (port: number): buildConnector.connector => {
    let connector = connectors.get(port);
    if (!connector) {
      connector = buildConnector({ timeout: options.timeoutMs, lookup: guardedLookup(options.allow, port) });
      connectors.set(port, connector);
    }
    return connector;
  };
  return new Agent({
    connections: options.connections,
    headersTimeout: options.timeoutMs + 1000,
    bodyTimeout: options.timeoutMs + 1000,
    connect: (connectOptions, callback) => {
      const port = connectOptions.port ? Number(connectOptions.port) : connectOptions.protocol === 'https:' ? 443 : 80;
      const host = unbracket(connectOptions.hostname);
      if (isIP(host)) {
        const reason = destinationRefusal(options.allow, { host, port, addresses: [host] });
        if (reason) {
          callback(new DestinationRefusedError(reason), null);
          return;
        }
      }
      connectorFor(port)(connectOptions, callback);
    },
  });
}

/** A `lookup` for net/tls.connect that resolves every address and refuses the whole answer if one address is refused. */
function guardedLookup(allow: WebhookAllowList, port: number): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { family: lookupOptions.family, hints: lookupOptions.hints, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const reason = destinationRefusal(allow, { host: hostname, port, addresses: addresses.map((entry) => entry.address) });
      if (reason) return callback(new DestinationRefusedError(reason), '', 0);
      if (lookupOptions.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
