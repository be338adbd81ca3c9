import { describe, expect, it } from 'vitest';
import { isAllowListed, parseWebhookAllowList, refusedAddressReason, webhookUrlProblem } from './webhook-destination.ts';

// Pure decisions only: nothing here connects anywhere.
describe('webhook destination policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.2.3.4', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fd12:3456::1', 'unique local (private)'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['64:ff9b::10.0.0.1', 'private'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(refusedAddressReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('lets %s through', (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });

  it('exempts exact host:port entries and CIDRs, nothing wider', () => {
    const allow = parseWebhookAllowList(['127.0.0.1:9000', 'receiver.internal:8443', '[::1]:7000', '10.1.0.0/16']);
    expect(isAllowListed(allow, { host: '127.0.0.1', port: 9000 })).toBe(true);
    expect(isAllowListed(allow, { host: '127.0.0.1', port: 9001 })).toBe(false);
    expect(isAllowListed(allow, { host: 'receiver.internal', port: 8443, address: '10.9.9.9' })).toBe(true);
    expect(isAllowListed(allow, { host: 'evil.example', port: 9000, address: '127.0.0.1' })).toBe(true);
    expect(isAllowListed(allow, { host: 'evil.example', port: 9001, address: '127.0.0.1' })).toBe(false);
    expect(isAllowListed(allow, { host: '[::1]', port: 7000 })).toBe(true);
    expect(isAllowListed(allow, { host: 'x.example', port: 1, address: '10.1.200.3' })).toBe(true);
    expect(isAllowListed(allow, { host: 'x.example', port: 1, address: '10.2.0.1' })).toBe(false);
    expect(() => parseWebhookAllowList(['nonsense'])).toThrow(/neither host:port nor a CIDR/);
  });

  it('refuses at registration what is not http(s) or names a refused literal address', () => {
    const none = parseWebhookAllowList([]);
    expect(webhookUrlProblem('https://hooks.example.com/a', none)).toBeUndefined();
    expect(webhookUrlProblem('ftp://hooks.example.com/a', none)).toMatch(/http or https/);
    expect(webhookUrlProblem('file:///etc/passwd', none)).toMatch(/http or https/);
    expect(webhookUrlProblem('not a url', none)).toMatch(/absolute/);
    expect(webhookUrlProblem('http://127.0.0.1:9000/h', none)).toMatch(/loopback/);
    expect(webhookUrlProblem('http://[::1]/h', none)).toMatch(/loopback/);
    expect(webhookUrlProblem('http://0.0.0.0/h', none)).toMatch(/unspecified/);
    expect(webhookUrlProblem('http://169.254.169.254/latest', none)).toMatch(/metadata/);
    expect(webhookUrlProblem('http://localhost:8080/h', none)).toMatch(/localhost/);
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/', none)).toMatch(/credentials/);
    expect(webhookUrlProblem('http://127.0.0.1:9000/h', parseWebhookAllowList(['127.0.0.1:9000']))).toBeUndefined();
  });
});
