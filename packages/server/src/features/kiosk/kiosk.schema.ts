import { z } from 'zod';

export const deviceCreateBody = z.strictObject({ name: z.string().trim().min(1, 'This field is required.').max(100) });
export const deviceParams = z.strictObject({ deviceId: z.uuid() });
export const assignmentParams = z.strictObject({ clientId: z.string(), assignmentId: z.uuid() });

export const deviceView = z.object({
  id: z.uuid(),
  name: z.string(),
  locked: z.boolean(),
  failedAttempts: z.number().int(),
  revoked: z.boolean(),
  createdAt: z.string(),
});
export const deviceCreatedView = deviceView.extend({
  /** Shown once: open `setupUrl` on the kiosk to store it there as a cookie. */
  token: z.string(),
  setupUrl: z.string(),
});
export const deviceListView = z.object({ items: z.array(deviceView) });

export const kioskCodeView = z.object({ code: z.string().regex(/^\d{6}$/), expiresAt: z.string() });
export const inSessionView = z.object({ url: z.string() });

/** The code-entry form (form post or JSON). Spaces typed between digits are forgiven. */
export const codeBody = z.strictObject({ code: z.string().max(20) });
export const setupBody = z.strictObject({ token: z.string().min(1).max(200) });
