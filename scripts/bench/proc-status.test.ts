import { describe, expect, it } from 'vitest';
import { parseProcStatus } from './proc-status.ts';

const status = [
  'Name:\tnode',
  'State:\tS (sleeping)',
  'VmPeak:\t 1234567 kB',
  'VmHWM:\t  816400 kB',
  'VmRSS:\t  293536 kB',
  'RssAnon:\t  250000 kB',
  'Threads:\t11',
  '',
].join('\n');

describe('parseProcStatus', () => {
  it('reads VmRSS and VmHWM in MB', () => {
    expect(parseProcStatus(status)).toEqual({ rssMb: 293536 / 1024, peakRssMb: 816400 / 1024 });
  });

  it('does not mistake VmPeak or RssAnon for them', () => {
    expect(parseProcStatus(status).peakRssMb).not.toBe(1234567 / 1024);
    expect(parseProcStatus(status).rssMb).not.toBe(250000 / 1024);
  });

  it('says which line is missing (a kernel thread has no VmRSS)', () => {
    expect(() => parseProcStatus('Name:\tkthreadd\nState:\tS\n')).toThrow(/VmRSS/);
  });
});
