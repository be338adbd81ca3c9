import { sql, type Kysely } from 'kysely';

/**
 * Files stored as 1 MiB chunks instead of one text column, so a 200 MB upload is written and
 * read piece by piece and never held whole in memory. A file row is written first with
 * status `uploading` (its chunks reference it) and becomes visible when its last chunk is in
 * and the status turns `processed`; an upload cut short by a crash stays invisible.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('files')
    .alterColumn('content', (column) => column.dropNotNull())
    .execute();
  await db.schema
    .alterTable('files')
    .alterColumn('content', (column) => column.setDefault(''))
    .execute();
  await db.schema
    .alterTable('files')
    .alterColumn('bytes', (column) => column.setDataType('bigint'))
    .execute();
  await db.schema
    .alterTable('files')
    // Rows written before this migration held their content whole and were complete.
    .addColumn('status', 'text', (column) => column.notNull().defaultTo('processed'))
    .addColumn('line_count', 'integer')
    .execute();
  await db.schema.createIndex('files_uploading').on('files').column('created_at').where(sql.ref('status'), '=', 'uploading').execute();

  await db.schema
    .createTable('file_chunks')
    .addColumn('file_id', 'text', (column) => column.notNull().references('files.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('data', 'bytea', (column) => column.notNull())
    .addPrimaryKeyConstraint('file_chunks_pkey', ['file_id', 'seq'])
    .execute();
}
