import type { TenancyAdmin } from '@switchyard/api';

/** What the admin commands need, whether they reach the database directly or a running `all`. */
export type AdminOperations = Pick<TenancyAdmin, 'listOrgs' | 'createOrg' | 'updateOrg' | 'listKeys' | 'createKey' | 'revokeKey'> & {
  close(): Promise<void>;
};
