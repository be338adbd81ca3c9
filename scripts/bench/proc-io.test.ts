import { describe, expect, it } from 'vitest';
import { ioCallsMeter, parseProcIo } from './proc-io.ts';

const io = ['rchar: 9083472', 'wchar: 4411203', 'syscr: 51234', 'syscw: 40210', 'read_bytes: 0', 'write_bytes: 4096', 'cancelled_write_bytes: 0', ''].join(
  '\n',
);

describe('parseProcIo', () => {
  it('reads the read and write system call counts', () => {
    expect(parseProcIo(io)).toEqual({ reads: 51234, writes: 40210 });
  });

  it('says which line is missing', () => {
    expect(() => parseProcIo('rchar: 1\nwchar: 2\n')).toThrow(/syscr/);
  });
});

describe('ioCallsMeter', () => {
  it('counts the write calls this process makes', async () => {
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = openSync(`${tmpdir()}/proc-io-test-${process.pid}`, 'w');
    const meter = ioCallsMeter(process.pid);
    for (let index = 0; index < 50; index++) writeSync(file, 'x');
    closeSync(file);
    expect(meter.elapsed().writes).toBeGreaterThanOrEqual(50);
  });
});
