import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/**
 * The rows after the cursor row in `created_at <order>, id asc` order, the order every list
 * here pages in. `cursorCreatedAt` is a one-row query selecting the cursor row's `created_at`;
 * an unknown cursor selects nothing, so the page is empty.
 */
export function afterCursor(cursorCreatedAt: Expression<unknown>, cursorId: string, order: 'asc' | 'desc'): RawBuilder<SqlBool> {
  const comparison = order === 'desc' ? sql`<` : sql`>`;
  return sql<SqlBool>`(created_at ${comparison} (${cursorCreatedAt}) or (created_at = (${cursorCreatedAt}) and id > ${cursorId}))`;
}
