// A CPU profile of one thread of `switchyard all`, for `BENCH_PROFILE=all`: with
// `SWITCHYARD_THREAD_PROFILE_DIR` set, the thread runs V8's profiler from its start and
// writes `<dir>/<thread>-<timestamp>.cpuprofile` as it stops. (`node --cpu-prof` writes only
// the main thread's: these threads end with process.exit, which writes none.)
import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ThreadCpuProfile = { write(): Promise<void> };

const none: ThreadCpuProfile = { write: async () => {} };

export function startThreadCpuProfile(thread: string, dir = process.env.SWITCHYARD_THREAD_PROFILE_DIR): ThreadCpuProfile {
  if (!dir) return none;
  const session = new Session();
  session.connect();
  const started = session.post('Profiler.enable').then(() => session.post('Profiler.start'));
  return {
    async write() {
      await started;
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${thread}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
