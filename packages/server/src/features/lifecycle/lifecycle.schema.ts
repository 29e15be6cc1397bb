import { z } from 'zod';
import { erasureReasons } from './erasure';

/** Reasons an admin may give; `retention_expired` is the retention job's alone. */
const requestReasons = erasureReasons.filter((r) => r !== 'retention_expired') as ['client_request', 'unlawful_processing', 'consent_withdrawn'];

/** `POST /clients/:clientId/erase`: the admin retypes (pastes) the client's id to confirm; a reason code, never free text. */
export const eraseBody = z.strictObject({
  confirmClientId: z.string().max(64),
  reason: z.enum(requestReasons),
});

export const eraseView = z.object({ clientId: z.uuid(), erasedAt: z.string() });

export const retentionCandidatesView = z.object({
  retentionYears: z.number().int(),
  cutoff: z.string(),
  items: z.array(z.object({ clientId: z.uuid(), lastActivityAt: z.string() })),
});
