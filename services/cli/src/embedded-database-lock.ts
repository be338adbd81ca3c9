import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Who holds the embedded database. PGlite is one process's private copy: a second process
 * opening the same directory writes into a copy nobody else sees (a key it creates never
 * works and is then lost). So exactly one process holds it, recorded in a file next to the
 * data directory; `all` adds where its admin API answers, so admin commands can go there.
 */
export type EmbeddedDatabaseHolder = {
  pid: number;
  command: string;
  startedAt: string;
  /** Set by `all` once it listens. */
  adminUrl?: string;
  /** A key for that admin API that `all` made up for this run (only when SWITCHYARD_ADMIN_KEY is unset). */
  adminToken?: string;
};

export type EmbeddedDatabaseLock = {
  path: string;
  /** Adds fields to the record (0600, replaced atomically). */
  update(fields: Partial<EmbeddedDatabaseHolder>): void;
  release(): void;
};

export const lockPathFor = (dataDir: string): string => `${resolve(dataDir)}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readRecord(path: string): EmbeddedDatabaseHolder | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as EmbeddedDatabaseHolder;
    return Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

function writeRecordFile(path: string, record: EmbeddedDatabaseHolder): string {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return temporary;
}

/** The live holder of the embedded database in `dataDir`; a dead holder's record is removed. */
export function embeddedDatabaseHolder(dataDir: string): EmbeddedDatabaseHolder | undefined {
  const path = lockPathFor(dataDir);
  const record = readRecord(path);
  if (!record) return undefined;
  if (isAlive(record.pid)) return record;
  // Stale (its process was killed): remove it, unless someone replaced it meanwhile.
  if (readRecord(path)?.pid === record.pid) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  return undefined;
}

/**
 * Takes the embedded database for this process, or answers who holds it. The record is
 * complete the moment it appears (written aside, then hard-linked into place, which fails
 * when a record exists), so readers never see half of one.
 */
export function acquireEmbeddedDatabase(dataDir: string, command: string): EmbeddedDatabaseLock | { heldBy: EmbeddedDatabaseHolder } {
  const path = lockPathFor(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  let record: EmbeddedDatabaseHolder = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    const temporary = writeRecordFile(path, record);
    try {
      linkSync(temporary, path);
      unlinkSync(temporary);
    } catch (error) {
      unlinkSync(temporary);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = embeddedDatabaseHolder(dataDir);
      if (holder) return { heldBy: holder };
      continue;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      if (readRecord(path)?.pid !== process.pid) return;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    };
    // Also on a failed start (process.exit), so only a killed process leaves a stale record.
    process.on('exit', release);
    return {
      path,
      update(fields) {
        record = { ...record, ...fields };
        renameSync(writeRecordFile(path, record), path);
      },
      release,
    };
  }
  throw new Error(`could not take the embedded database lock ${path}; remove it if no switchyard process is running`);
}

/** What to tell someone who wants the embedded database while another process has it. */
export function describeHolder(dataDir: string, holder: EmbeddedDatabaseHolder): string {
  return `the embedded database in ${resolve(dataDir)} is in use by "switchyard ${holder.command}" (pid ${holder.pid}, since ${holder.startedAt})`;
}
