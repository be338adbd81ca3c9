// Resident memory of the api while a 200 MB file is uploaded to POST /v1/files and read back
// from GET /v1/files/{id}/content: `pnpm bench:upload [--mib N] [--database postgres|embedded]`.
// The upload is generated on the fly here (the bench holds no more of it than the api should),
// the api is a separate `switchyard api` (or `all` on embedded PGlite) whose VmRSS is sampled
// every 50 ms. The target is under 300 MB during the upload; the figure is reported, not timed.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, deletePrefix, freePort, uniquePrefix } from '@switchyard/testing';
import { startBenchRedis } from './bench-redis.ts';
import { spawnChild, stopAllChildren, waitForHealth } from './child-process.ts';
import { processMemory } from './proc-status.ts';

const switchyardScript = fileURLToPath(new URL('../switchyard', import.meta.url));
const adminKey = 'bench-upload-admin-key-0123456789';
const boundary = 'switchyard-bench-upload-boundary';
const targetRssMb = 300;
const lines = 50_000;

type Sampler = { stop(): number };

/** Samples the process's VmRSS until stopped; returns the highest seen, in MB. */
function sampleRss(pid: number): Sampler {
  let highest = processMemory(pid).rssMb;
  const timer = setInterval(() => {
    highest = Math.max(highest, processMemory(pid).rssMb);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(highest, processMemory(pid).rssMb);
    },
  };
}

/**
 * The multipart body of a `purpose=batch` upload of `totalBytes` bytes of JSONL in `lines`
 * lines of equal length, made 64 KiB at a time as the request reads it; `digest` sees the
 * file's bytes, for comparing with what comes back.
 */
function multipartUpload(totalBytes: number, digest: ReturnType<typeof createHash>): ReadableStream<Uint8Array> {
  const lineBytes = Math.floor(totalBytes / lines);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const lineOf = (index: number): Buffer => {
    const start = `{"custom_id":"r${String(index).padStart(6, '0')}","method":"POST","url":"/v1/chat/completions","body":{"model":"mock-fast","messages":[{"role":"user","content":"`;
    const end = '"}]}}\n';
    return Buffer.from(start + 'x'.repeat(lineBytes - start.length - end.length) + end);
  };
  let next = 0;
  let sentHead = false;
  return new ReadableStream({
    pull(controller) {
      if (!sentHead) {
        sentHead = true;
        controller.enqueue(head);
        return;
      }
      if (next >= lines) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      const batch: Buffer[] = [];
      let size = 0;
      while (next < lines && size < 64 * 1024) {
        const line = lineOf(next++);
        batch.push(line);
        size += line.length;
      }
      const piece = Buffer.concat(batch);
      digest.update(piece);
      controller.enqueue(piece);
    },
  });
}

async function adminPost(url: string, path: string, body: unknown): Promise<{ id: string; key?: string }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; key?: string };
}

export type UploadMemory = { command: string; mib: number; idleRssMb: number; uploadPeakRssMb: number; downloadPeakRssMb: number; afterRssMb: number };

async function measure(options: { mib: number; database: 'postgres' | 'embedded'; redisUrl: string }): Promise<UploadMemory> {
  const prefix = uniquePrefix('bench-upload');
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-upload-memory-'));
  const database = options.database === 'postgres' ? await createTestDatabase() : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = options.database === 'postgres' ? ['api'] : ['all'];
  const env: Record<string, string> = {
    REDIS_URL: options.redisUrl,
    SWITCHYARD_REDIS_PREFIX: prefix,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SWITCHYARD_ADMIN_KEY: adminKey,
  };
  if (database) env.DATABASE_URL = database.url;
  else env.SWITCHYARD_DATA_DIR = join(dataDir, 'pglite');
  const child = spawnChild(`switchyard ${args.join(' ')}`, switchyardScript, args, env);
  try {
    await waitForHealth(`${url}/health`, child, 90_000, 200);
    const org = await adminPost(url, '/v1/admin/orgs', { name: 'bench-upload' });
    const apiKey = (await adminPost(url, `/v1/admin/orgs/${org.id}/keys`, { name: 'bench' })).key as string;
    await sleep(2000);
    const idleRssMb = processMemory(child.pid).rssMb;

    const sent = createHash('sha256');
    const uploadSampler = sampleRss(child.pid);
    const uploaded = await fetch(`${url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipartUpload(options.mib * 1024 * 1024, sent),
      duplex: 'half',
    } as RequestInit);
    const uploadPeakRssMb = uploadSampler.stop();
    const file = (await uploaded.json()) as { id: string; bytes: number };
    if (!uploaded.ok) throw new Error(`upload refused: ${uploaded.status} ${JSON.stringify(file)}`);

    const received = createHash('sha256');
    const downloadSampler = sampleRss(child.pid);
    const content = await fetch(`${url}/v1/files/${file.id}/content`, { headers: { authorization: `Bearer ${apiKey}` } });
    let receivedBytes = 0;
    for await (const piece of content.body as unknown as AsyncIterable<Uint8Array>) {
      received.update(piece);
      receivedBytes += piece.length;
    }
    const downloadPeakRssMb = downloadSampler.stop();
    if (receivedBytes !== file.bytes || received.digest('hex') !== sent.digest('hex'))
      throw new Error(`content differs: ${receivedBytes} of ${file.bytes} bytes`);
    await sleep(1000);
    return {
      command: `switchyard ${args.join(' ')}`,
      mib: options.mib,
      idleRssMb,
      uploadPeakRssMb,
      downloadPeakRssMb,
      afterRssMb: processMemory(child.pid).rssMb,
    };
  } finally {
    await child.stop();
    await database?.drop();
    await deletePrefix(options.redisUrl, prefix);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function runAlone(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { mib: { type: 'string', default: '200' }, database: { type: 'string', default: 'both' } } });
  const mib = Number(values.mib);
  if (!(mib > 0 && mib <= 200)) throw new Error(`--mib wants a size from 1 to 200 (the default files.maxBytes), got "${values.mib}"`);
  const databases = values.database === 'both' ? (['postgres', 'embedded'] as const) : [values.database as 'postgres' | 'embedded'];
  try {
    const redis = await startBenchRedis();
    const rows: UploadMemory[] = [];
    for (const database of databases) {
      process.stderr.write(`upload memory: ${mib} MiB through ${database === 'postgres' ? 'switchyard api (Postgres)' : 'switchyard all (embedded PGlite)'}\n`);
      rows.push(await measure({ mib, database, redisUrl: redis.url }));
    }
    process.stdout.write(
      [
        `API resident memory (VmRSS, sampled every 50 ms) while a ${mib} MiB batch file is uploaded and read back; target under ${targetRssMb} MB:`,
        '',
        '| process | idle | peak during upload | peak during download | after |',
        '|---|---|---|---|---|',
        ...rows.map(
          (row) =>
            `| \`${row.command}\` | ${row.idleRssMb.toFixed(0)} MB | ${row.uploadPeakRssMb.toFixed(0)} MB | ${row.downloadPeakRssMb.toFixed(0)} MB | ${row.afterRssMb.toFixed(0)} MB |`,
        ),
        '',
      ].join('\n'),
    );
    const over = rows.filter((row) => row.uploadPeakRssMb >= targetRssMb);
    if (over.length > 0) process.exitCode = 1;
  } finally {
    await stopAllChildren();
  }
}

if (import.meta.main) {
  runAlone(process.argv.slice(2)).then(
    () => process.exit(),
    (error: unknown) => {
      process.stderr.write(`upload memory failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
