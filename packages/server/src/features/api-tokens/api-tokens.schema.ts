import { z } from 'zod';
import { apiTokenScopes } from '../../db/schema';

/** Issue 7: every token expires, at most a year after it is made. */
export const MAX_TOKEN_LIFETIME_DAYS = 366;

export const apiTokenCreateBody = z.strictObject({
  name: z.string().trim().min(1, 'This field is required.').max(100),
  scopes: z.array(z.enum(apiTokenScopes)).min(1, 'Choose at least one scope.').max(apiTokenScopes.length),
  /** Required: a token without an end is not offered. At most a year ahead (checked against the clock). */
  expiresAt: z.iso.datetime({ offset: true, error: 'Use an ISO 8601 date and time, e.g. 2027-01-31T00:00:00Z.' }),
});

export const apiTokenParams = z.strictObject({ tokenId: z.uuid() });

export const apiTokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(z.enum(apiTokenScopes)),
  createdBy: z.uuid(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});

/** The create response: the only time the secret is ever shown. */
export const apiTokenCreatedView = apiTokenView.extend({ token: z.string() });
export const apiTokenListView = z.object({ items: z.array(apiTokenView) });
