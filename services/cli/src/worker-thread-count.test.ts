import { describe, expect, it } from 'vitest';
import { workerThreadCount } from './worker-thread-count.ts';

describe('workerThreadCount', () => {
  it('leaves a core each to the main and the database thread, and by default runs at most two', () => {
    expect(workerThreadCount({ cores: 8 })).toBe(2);
    expect(workerThreadCount({ cores: 4 })).toBe(2);
    expect(workerThreadCount({ cores: 3 })).toBe(1);
    expect(workerThreadCount({ cores: 2 })).toBe(0);
    expect(workerThreadCount({ cores: 1 })).toBe(0);
  });

  it('takes the flag over the environment, and 0 from either', () => {
    expect(workerThreadCount({ flag: '3', env: '5', cores: 2 })).toBe(3);
    expect(workerThreadCount({ env: '5', cores: 2 })).toBe(5);
    expect(workerThreadCount({ env: '', cores: 4 })).toBe(2);
    expect(workerThreadCount({ flag: '6', cores: 4 })).toBe(6);
    expect(workerThreadCount({ flag: '0', cores: 4 })).toBe(0);
    expect(workerThreadCount({ env: '0', cores: 4 })).toBe(0);
  });

  it('refuses what is not a whole number, naming where it came from', () => {
    expect(() => workerThreadCount({ flag: 'two', cores: 2 })).toThrow('--worker-threads must be a whole number');
    expect(() => workerThreadCount({ env: '-1', cores: 2 })).toThrow('SWITCHYARD_WORKER_THREADS must be a whole number');
  });
});
