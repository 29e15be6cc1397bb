import type { z } from 'zod';
import type { ApiTokenRow } from './api-tokens.queries';
import type { apiTokenView } from './api-tokens.schema';

/** A token as admins see it: never its secret or hash. */
export function presentApiToken(row: ApiTokenRow, now: Date): z.infer<typeof apiTokenView> {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    status: row.revokedAt ? 'revoked' : row.expiresAt <= now ? 'expired' : 'active',
  };
}
