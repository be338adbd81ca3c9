import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startThreadCpuProfile } from './thread-cpu-profile.ts';

describe('startThreadCpuProfile', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes the thread's profile, named after the thread, when a directory is given", async () => {
    dir = await mkdtemp(join(tmpdir(), 'thread-profile-'));
    const profile = startThreadCpuProfile('database', dir);
    let sum = 0;
    for (let index = 0; index < 2_000_000; index++) sum += Math.sqrt(index);
    expect(sum).toBeGreaterThan(0);
    await profile.write();
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^database-\d+\.cpuprofile$/);
    const written = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as { nodes: unknown[]; samples: unknown[] };
    expect(written.nodes.length).toBeGreaterThan(1);
    expect(written.samples.length).toBeGreaterThan(0);
  });

  it('does nothing without a directory', async () => {
    await expect(startThreadCpuProfile('database', undefined).write()).resolves.toBeUndefined();
  });
});
