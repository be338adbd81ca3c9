import { describe, expect, it } from 'vitest';
import { groupSelfTime, packageOf, stageOf, stageRows, switchyardDirOf, switchyardGroup, type CpuProfile } from './profile-stages.ts';

const root = '/work/switchyard';
const frame = (functionName: string, url: string) => ({ functionName, url });

describe('stageOf', () => {
  it('groups third-party packages, pnpm paths and scopes included', () => {
    expect(packageOf(`file://${root}/node_modules/.pnpm/bullmq@5.1.0/node_modules/bullmq/dist/esm/classes/job.js`)).toBe('bullmq');
    expect(packageOf(`file://${root}/node_modules/.pnpm/@electric-sql+pglite@0.3/node_modules/@electric-sql/pglite/dist/index.js`)).toBe(
      '@electric-sql/pglite',
    );
    expect(stageOf(frame('parse', `file://${root}/node_modules/.pnpm/raw-body@3/node_modules/raw-body/index.js`))).toBe('body-parser/raw-body');
    expect(stageOf(frame('handle', `file://${root}/node_modules/.pnpm/router@2/node_modules/router/index.js`))).toBe('express/router');
    expect(stageOf(frame('write', `file://${root}/node_modules/.pnpm/sonic-boom@4/node_modules/sonic-boom/index.js`))).toBe('pino');
    expect(stageOf(frame('x', `file://${root}/node_modules/.pnpm/left-pad@1/node_modules/left-pad/index.js`))).toBe('left-pad');
  });

  it('names Node internals, GC, idle and native frames', () => {
    expect(stageOf(frame('parserOnHeadersComplete', 'node:_http_common'))).toBe('node: http');
    expect(stageOf(frame('onStreamRead', 'node:internal/stream_base_commons'))).toBe('node: net');
    expect(stageOf(frame('Readable.push', 'node:internal/streams/readable'))).toBe('node: streams');
    expect(stageOf(frame('processTicksAndRejections', 'node:internal/process/task_queues'))).toBe('node: other');
    expect(stageOf(frame('compileSourceTextModule', 'node:internal/modules/esm/utils'))).toBe('node: module loading (start-up)');
    expect(stageOf(frame('$func123', 'wasm://wasm/025aee86'))).toBe("WebAssembly (PGlite's Postgres; undici's HTTP parser)");
    expect(stageOf(frame('(garbage collector)', ''))).toBe('GC');
    expect(stageOf(frame('(idle)', ''))).toBe('idle');
    expect(stageOf(frame('stringify', ''))).toBe('(native and builtins)');
  });

  it("puts Switchyard's own code in one stage, by directory", () => {
    expect(stageOf(frame('admit', `file://${root}/services/api/src/admission/admit.ts`))).toBe(switchyardGroup);
    expect(switchyardDirOf(`file://${root}/services/api/src/admission/admit.ts`)).toBe('services/api/src/admission');
    expect(switchyardDirOf(`file://${root}/services/api/src/create-app.ts`)).toBe('services/api/src');
    expect(switchyardDirOf(`file://${root}/packages/queue/src/reply-bus.ts`)).toBe('packages/queue');
    expect(stageOf(frame('x', `file://${root}/node_modules/@switchyard/queue/src/publish.ts`))).toBe(switchyardGroup);
  });
});

describe('groupSelfTime', () => {
  // root -> handler (routes) -> JSON.parse (native); plus GC and idle samples.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('handle', `file://${root}/services/api/src/routes/chat.ts`) },
      { id: 3, callFrame: frame('add', `file://${root}/node_modules/.pnpm/bullmq@5/node_modules/bullmq/dist/queue.js`) },
      { id: 4, callFrame: frame('(garbage collector)', '') },
      { id: 5, callFrame: frame('(idle)', '') },
      { id: 6, callFrame: frame('publish', `file://${root}/packages/queue/src/publish.ts`) },
    ],
    // Each sample lasts until the next: 2 ms, 1 ms, 3 ms, 4 ms, 1 ms, then the mean for the last.
    samples: [2, 3, 2, 4, 5, 6],
    timeDeltas: [0, 2000, 1000, 3000, 4000, 1000],
  };

  it('adds self time per stage and per Switchyard directory, in ms', () => {
    const totals = groupSelfTime(profile);
    expect(totals.byPackage).toEqual({ [switchyardGroup]: 2 + 3 + 11 / 6, bullmq: 1, GC: 4, idle: 1 });
    expect(totals.bySwitchyardDir).toEqual({ 'services/api/src/routes': 5, 'packages/queue': 11 / 6 });
    expect(totals.idleMs).toBe(1);
    expect(totals.totalMs).toBeCloseTo(11 + 11 / 6, 9);
  });

  it('gives shares of the busy time and ms per request, largest first', () => {
    const rows = stageRows({ a: 1, b: 3, idle: 6 }, 4, 2);
    expect(rows.map((row) => row.stage)).toEqual(['idle', 'b', 'a']);
    expect(rows[1]).toEqual({ stage: 'b', ms: 3, share: 0.75, msPerRequest: 1.5 });
    expect(Number.isNaN(rows[0]!.share)).toBe(true);
  });
});
