import { isAllowListed, refusedAddressReason, type WebhookAllowList } from '@switchyard/core';

/**
 * The connect-time SSRF decision: why this destination may not be reached, or undefined
 * when it may. Every address the host resolved to must pass on its own (a name answering a
 * public and a private address is refused), unless the allow list exempts it by host:port
 * or by address.
 */
export function destinationRefusal(allow: WebhookAllowList, destination: { host: string; port: number; addresses: readonly string[] }): string | undefined {
  if (destination.addresses.length === 0) return `${destination.host} resolved to no address`;
  for (const address of destination.addresses) {
    if (isAllowListed(allow, { host: destination.host, port: destination.port, address })) continue;
    const reason = refusedAddressReason(address);
    if (reason) return `${destination.host}:${destination.port} resolves to ${address}, a ${reason} address (not in SWITCHYARD_WEBHOOK_ALLOW)`;
  }
  return undefined;
}
