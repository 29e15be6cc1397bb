import { z } from 'zod';

export const programmeIdParams = z.strictObject({ programmeId: z.uuid() });

const name = z.string().trim().min(1, 'This field is required.').max(200);
const description = z.string().trim().max(2000).nullable();

export const programmeListQuery = z.strictObject({
  includeArchived: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export const programmeCreateBody = z.strictObject({ name, description: description.optional() });

export const programmeUpdateBody = z.strictObject({ name: name.optional(), description: description.optional() });

export const programmeView = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
});
