import type { Queryable } from '../../db/database';
import { assignmentLinks } from '../../db/schema';
import { hashToken, randomToken } from '../../lib/crypto';

/**
 * Makes a new secure link for an assignment: 256 random bits, only the SHA-256 stored. Every
 * message sent makes its own link; all of them work until the assignment is completed or expires.
 * Returns the token (it goes into the message and nowhere else).
 */
export async function issueLink(db: Queryable, input: { orgId: string; assignmentId: string; now: Date }): Promise<string> {
  const token = randomToken(32);
  await db.insert(assignmentLinks).values({ orgId: input.orgId, assignmentId: input.assignmentId, tokenHash: hashToken(token), createdAt: input.now });
  return token;
}

/** The address a client opens: `/q/<token>`. */
export function linkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/q/${token}`;
}
