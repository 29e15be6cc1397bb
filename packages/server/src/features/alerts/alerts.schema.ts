import { z } from 'zod';
import { alertKinds } from '../../db/schema';
import { resolutionActions } from './alerts.queries';

export const alertStatuses = ['open', 'acknowledged', 'resolved'] as const;

export const alertListQuery = z.strictObject({
  /** One status, or `active` (open and acknowledged), or `all` (the default). */
  status: z.enum([...alertStatuses, 'active', 'all']).default('all'),
  kind: z.enum(alertKinds).optional(),
  urgent: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(400).optional(),
});

export const clientAlertParams = z.strictObject({ clientId: z.uuid() });
export const alertParams = z.strictObject({ clientId: z.uuid(), alertId: z.uuid() });

export const alertView = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  clientName: z.string(),
  episodeId: z.uuid().nullable(),
  responseId: z.uuid().nullable(),
  kind: z.enum(alertKinds),
  urgent: z.boolean(),
  status: z.enum(alertStatuses),
  evidence: z.record(z.string(), z.unknown()),
  rulesVersion: z.string(),
  createdAt: z.string(),
  acknowledgedBy: z.uuid().nullable(),
  acknowledgedAt: z.string().nullable(),
  resolvedBy: z.uuid().nullable(),
  resolvedAt: z.string().nullable(),
  resolutionAction: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  escalatedAt: z.string().nullable(),
});

export const alertListView = z.object({ items: z.array(alertView), nextCursor: z.string().nullable() });

/** `POST …/alerts/:alertId/resolve`: what was done about it, and a note (required: the record of the action). */
export const alertResolveBody = z.strictObject({
  action: z.enum(resolutionActions),
  note: z.string().trim().min(1, 'This field is required.').max(2000),
});
