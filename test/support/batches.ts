// Helpers for batch tests: input files, engine deps from a test gateway, reading the output
// and error files back.
import { createSilentLogger } from '@switchyard/logger';
import { createStoredFile, readStoredFileLines, type Database, type Kysely } from '@switchyard/db';
import type { BatchEngineDeps } from '@switchyard/batches';
import type { RedisConnection } from '@switchyard/queue';
import type { SwitchyardConfig } from '@switchyard/config';

/** One `{custom_id, method, url, body}` line of a chat batch. */
export const chatLine = (customId: string, content: string, model = 'gpt-4o-mini'): string =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }] } });

async function* linesOf(lines: readonly string[]): AsyncIterable<string> {
  for (const line of lines) yield `${line}\n`;
}

/** Stores lines as the org's `batch` file; returns its id. */
export async function uploadBatchFile(db: Kysely<Database>, orgId: string, lines: readonly string[]): Promise<string> {
  const file = await createStoredFile(db, { orgId, purpose: 'batch', filename: 'input.jsonl' }, linesOf(lines));
  return file.id;
}

/** The engine's dependencies beside a running gateway. */
export const engineDeps = (gateway: { database: { db: Kysely<Database> }; config: SwitchyardConfig }, redis: RedisConnection): BatchEngineDeps => ({
  db: gateway.database.db,
  redis,
  config: gateway.config,
  logger: createSilentLogger(),
});

export type FileLine = {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
};

/** Every line of a stored output or error file, parsed (none for a null file id). */
export async function readFileLines(db: Kysely<Database>, fileId: string | null): Promise<FileLine[]> {
  if (!fileId) return [];
  const lines: FileLine[] = [];
  for await (const line of readStoredFileLines(db, fileId)) if (line.text !== '') lines.push(JSON.parse(line.text) as FileLine);
  return lines;
}
