import { globSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Three lanes, run by `./scripts/test` as two invocations so the load lane reports apart:
//   unit         pure tests next to the code; no Redis, Postgres or sockets; seconds.
//   integration  test/e2e and test/integration, plus the tests next to the code that use
//                real Redis, Postgres or a listening server.
//   load         the few files that dominate wall time: hundreds of concurrent requests,
//                separate OS processes, deep backlogs.
const besideCode = ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'scripts/**/*.test.ts'];
const endToEnd = ['test/e2e/**/*.test.ts', 'test/integration/**/*.test.ts'];
const load = [
  'test/e2e/streaming-load.test.ts',
  'test/integration/concurrency-processes.test.ts',
  'test/integration/worker-crash-recovery.test.ts',
  'test/integration/priority-and-backpressure.test.ts',
  'test/integration/batch-crash.test.ts',
  'test/integration/scale-processes.test.ts',
];

// A test beside the code belongs to the integration lane when it reaches a real service.
// It is recognised by what it calls, so a new one lands in the right lane without an edit
// here; anything else found beside the code is a unit test.
const reachesServices = [
  /^import (?!type )[^;]*from 'ioredis'/m,
  /\b(testRedis|createTestDatabase|startMock\w*Upstream|startApi|startWorkers|startLedger|createServer|spawn)\(/,
  /test-engines\.ts'/,
];
const exclude = ['**/node_modules/**'];
const usingServices = besideCode
  .flatMap((pattern) => globSync(pattern, { exclude }))
  .filter((file) => reachesServices.some((marker) => marker.test(readFileSync(file, 'utf8'))))
  .sort();

export default defineConfig({
  test: {
    exclude,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files start servers and workers; two forks match the two cores here.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      // Pure tests share no state, so one module graph per worker serves every file: it
      // makes the lane about six times faster than importing everything again per file.
      { extends: true, test: { name: 'unit', include: besideCode, exclude: [...exclude, ...usingServices], isolate: false } },
      { extends: true, test: { name: 'integration', include: [...endToEnd, ...usingServices], exclude: [...exclude, ...load] } },
      { extends: true, test: { name: 'load', include: load } },
    ],
  },
});
