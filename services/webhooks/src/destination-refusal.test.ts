import { parseWebhookAllowList } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { destinationRefusal } from './destination-refusal.ts';

describe('destinationRefusal (the connect-time SSRF decision)', () => {
  const none = parseWebhookAllowList([]);

  it('lets public addresses through', () => {
    expect(destinationRefusal(none, { host: 'hooks.example.com', port: 443, addresses: ['93.184.216.34', '2606:2800:220:1::1'] })).toBeUndefined();
  });

  it('refuses a name when any one of its addresses is refused', () => {
    expect(destinationRefusal(none, { host: 'rebind.example.com', port: 443, addresses: ['93.184.216.34', '10.0.0.5'] })).toMatch(
      /rebind\.example\.com:443 resolves to 10\.0\.0\.5, a private address/,
    );
    expect(destinationRefusal(none, { host: 'localhost', port: 8080, addresses: ['127.0.0.1'] })).toMatch(/loopback/);
    expect(destinationRefusal(none, { host: 'metadata', port: 80, addresses: ['169.254.169.254'] })).toMatch(/link-local/);
    expect(destinationRefusal(none, { host: 'v6', port: 80, addresses: ['::ffff:127.0.0.1'] })).toMatch(/loopback/);
  });

  it('refuses a name that resolved to nothing', () => {
    expect(destinationRefusal(none, { host: 'empty.example.com', port: 443, addresses: [] })).toMatch(/no address/);
  });

  it('exempts allow-listed destinations by host:port, by address:port or by network, and nothing else', () => {
    const allow = parseWebhookAllowList(['127.0.0.1:9000', 'hooks.internal:8443', '10.1.0.0/16']);
    expect(destinationRefusal(allow, { host: '127.0.0.1', port: 9000, addresses: ['127.0.0.1'] })).toBeUndefined();
    expect(destinationRefusal(allow, { host: 'localhost', port: 9000, addresses: ['127.0.0.1'] })).toBeUndefined();
    expect(destinationRefusal(allow, { host: 'hooks.internal', port: 8443, addresses: ['192.168.1.4'] })).toBeUndefined();
    expect(destinationRefusal(allow, { host: 'anything', port: 80, addresses: ['10.1.2.3'] })).toBeUndefined();
    expect(destinationRefusal(allow, { host: '127.0.0.1', port: 9001, addresses: ['127.0.0.1'] })).toMatch(/loopback/);
    expect(destinationRefusal(allow, { host: 'hooks.internal', port: 443, addresses: ['192.168.1.4'] })).toMatch(/private/);
    expect(destinationRefusal(allow, { host: 'anything', port: 80, addresses: ['10.1.2.3', '10.2.0.1'] })).toMatch(/10\.2\.0\.1/);
  });
});
