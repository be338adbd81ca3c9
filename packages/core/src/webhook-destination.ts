import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may go. Every address a receiver's name resolves to is checked at connect
 * time against the ranges below (so DNS rebinding cannot reach them); a URL whose host is a
 * literal address in them is refused when it is registered. The allow list exempts exact
 * `host:port` destinations or CIDRs (internal receivers, tests on loopback).
 */
const refusedRanges: ReadonlyArray<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved or broadcast'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique local (private)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const blocks = refusedRanges.map(([network, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, reason };
});

/** Why an address may not receive webhooks (`loopback`, `private`, ...), or undefined when it may. */
export function refusedAddressReason(address: string): string | undefined {
  const plain = unbracket(address);
  const family = isIP(plain);
  if (family === 0) return 'not an IP address';
  // IPv4 carried inside IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96) is judged as IPv4.
  const embedded = family === 6 ? embeddedIpv4(plain) : undefined;
  if (embedded) return refusedAddressReason(embedded);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return blocks.find((block) => block.family === type && block.list.check(plain, type))?.reason;
}

function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

export type WebhookAllowList = { destinations: Set<string>; networks: BlockList };

/** `SWITCHYARD_WEBHOOK_ALLOW` entries: `host:port` (`[::1]:9000` for IPv6) or a CIDR (`10.1.0.0/16`). */
export function parseWebhookAllowList(entries: readonly string[]): WebhookAllowList {
  const destinations = new Set<string>();
  const networks = new BlockList();
  for (const entry of entries) {
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]!)) {
      networks.addSubnet(cidr[1]!, Number(cidr[2]), isIP(cidr[1]!) === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const hostPort = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(entry);
    if (!hostPort) throw new Error(`SWITCHYARD_WEBHOOK_ALLOW: ${JSON.stringify(entry)} is neither host:port nor a CIDR`);
    destinations.add(`${unbracket(hostPort[1]!).toLowerCase()}:${hostPort[2]}`);
  }
  return { destinations, networks };
}

/** Whether the allow list exempts this destination: by the URL's host and port, or by the address it resolved to. */
export function isAllowListed(allow: WebhookAllowList, destination: { host: string; port: number; address?: string }): boolean {
  const host = unbracket(destination.host).toLowerCase();
  if (allow.destinations.has(`${host}:${destination.port}`)) return true;
  const address = destination.address ? unbracket(destination.address) : isIP(host) ? host : undefined;
  if (!address) return false;
  if (allow.destinations.has(`${address.toLowerCase()}:${destination.port}`)) return true;
  const family = isIP(address);
  return family !== 0 && allow.networks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL's port, with the scheme's default. */
export const portOf = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

/**
 * The check at registration (an org endpoint, a job's or batch's webhook_url): http(s) only,
 * and no literal address (or `localhost`) in a refused range unless allow-listed. Names are
 * checked again, by address, every time a delivery connects.
 */
export function webhookUrlProblem(text: string, allow: WebhookAllowList): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must use http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'must not carry credentials';
  const host = unbracket(url.hostname);
  const port = portOf(url);
  if (isAllowListed(allow, { host, port })) return undefined;
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return 'must not point at localhost';
  if (isIP(host)) {
    const reason = refusedAddressReason(host);
    if (reason) return `must not point at a ${reason} address (${host})`;
  }
  return undefined;
}
