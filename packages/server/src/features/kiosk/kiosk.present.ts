import type { z } from 'zod';
import type { KioskDeviceRow } from './kiosk.queries';
import type { deviceView } from './kiosk.schema';

/** The only shape of a kiosk device sent out: never its token hash. */
export function presentDevice(row: KioskDeviceRow): z.infer<typeof deviceView> {
  return {
    id: row.id,
    name: row.name,
    locked: row.lockedAt !== null,
    failedAttempts: row.failedAttempts,
    revoked: row.revokedAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}
