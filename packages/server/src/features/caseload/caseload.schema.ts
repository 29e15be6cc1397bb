import { z } from 'zod';

/**
 * The caseload (issue 6): one request returns everything the clinician's triage list shows per
 * client. Request and response shapes; request types are `z.infer` of these.
 */

/** Attention tiers, most pressing first; the rank is the tier's position (1–4). */
export const attentionTiers = ['urgent', 'alerts', 'due', 'routine'] as const;
export type AttentionTier = (typeof attentionTiers)[number];

export const caseloadQuery = z.strictObject({
  /** Part of a given, family or preferred name, or the external reference. */
  q: z.string().trim().max(100).optional(),
  status: z.enum(['active', 'inactive', 'all']).default('active'),
  /**
   * `urgent`: clients with an unresolved urgent alert; `alerts`: with any unresolved alert;
   * `due`: with a questionnaire due or overdue; `all` (the default): everyone.
   */
  attention: z.enum(['urgent', 'alerts', 'due', 'all']).default('all'),
  /** Clients whose open episode is in this programme. */
  programmeId: z.uuid().optional(),
  /**
   * Whose caseload: by default the caller's (clients whose care team includes them). Supervisors and
   * admins may name another staff member, or `all` for the whole organisation.
   */
  therapistId: z.union([z.uuid(), z.literal('all')]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type CaseloadQuery = z.infer<typeof caseloadQuery>;

const allianceSide = z.object({ score: z.number(), percent: z.number() });

export const caseloadItemView = z.object({
  client: z.object({ id: z.uuid(), givenName: z.string(), familyName: z.string(), preferredName: z.string().nullable(), status: z.string() }),
  /** The open episode, with its programme; null when the client has none. */
  episode: z
    .object({ id: z.uuid(), startedOn: z.string(), presentingProblem: z.string().nullable(), programme: z.object({ id: z.uuid(), name: z.string() }).nullable() })
    .nullable(),
  attention: z.object({ tier: z.enum(attentionTiers), rank: z.number().int().min(1).max(4) }),
  /** Unresolved (open or acknowledged) alerts the caller may see; blind rating hides some non-urgent ones. */
  alerts: z.object({ urgent: z.number().int(), other: z.number().int() }),
  /**
   * The client's questionnaires whose time has come and that are not finished: `due` counts them
   * all, `overdue` those past their reminder or expiring within a day (see caseload.queries.ts).
   */
  questionnaires: z.object({ due: z.number().int(), overdue: z.number().int() }),
  nextAppointment: z.object({ id: z.uuid(), startsAt: z.string(), kind: z.string() }).nullable(),
  /** The latest score on each primary measure (PHQ-9 and the anxiety measure paired with the presenting problem). */
  lastScores: z.array(z.object({ instrumentId: z.string(), name: z.string(), score: z.number(), band: z.object({ id: z.string(), label: z.string() }).nullable(), submittedAt: z.string() })),
  /**
   * The last few alliance sessions, oldest first. A client rating of a session the caller still has
   * to rate is `client: null, clientHidden: true` (blind rating).
   */
  alliance: z
    .object({
      clientInstrumentId: z.string(),
      points: z.array(z.object({ appointmentId: z.uuid().nullable(), date: z.string(), client: allianceSide.nullable(), clientHidden: z.boolean(), therapist: allianceSide.nullable() })),
      gapTrend: z.string(),
    })
    .nullable(),
  /** The oldest session rating the caller owes for this client (then "rate today's session", never the client's score). */
  ratingOwed: z.object({ assignmentId: z.uuid(), appointmentId: z.uuid(), dueSince: z.string() }).nullable(),
  /** Today's session (in the clinic's time zone), and whether it has been rated. */
  todaySession: z.object({ appointmentId: z.uuid(), startsAt: z.string(), status: z.string(), rating: z.enum(['rated', 'skipped', 'owed', 'not_rated']) }).nullable(),
});

export const caseloadView = z.object({
  items: z.array(caseloadItemView),
  /** Clients matching the filters, across all pages (counted with the page: 0 when `offset` is past the end). */
  total: z.number().int(),
  nextOffset: z.number().int().nullable(),
  asOf: z.string(),
});
