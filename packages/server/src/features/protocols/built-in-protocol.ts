import type { ProtocolRule } from '../../db/schema';

/**
 * The protocol in force when neither the episode, its programme nor the organisation has one
 * (issue 4, "a sensible default protocol ships"): PHQ-9 and GAD-7 24 hours before each session, the
 * alliance check from the client and from the clinician after each attended session, CORE-10 at
 * intake and discharge. Reminder and expiry follow the organisation's settings (2 and 4 days by
 * default). The rule ids are part of assignment keys: never rename them.
 */
export const BUILT_IN_PROTOCOL = Object.freeze({
  name: 'Rapport default',
  reminderAfterDays: 'organisation' as const,
  expiryDays: 'organisation' as const,
  rules: Object.freeze([
    { id: 'phq9-gad7-before', instrumentIds: ['phq9', 'gad7'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 24 } },
    { id: 'alliance-client-after', instrumentIds: ['rapport_alliance'], respondent: 'client', trigger: { kind: 'after_each_attended' } },
    { id: 'alliance-clinician-after', instrumentIds: ['rapport_alliance_therapist'], respondent: 'clinician', trigger: { kind: 'after_each_attended' } },
    { id: 'core10-intake', instrumentIds: ['core10'], respondent: 'client', trigger: { kind: 'intake' } },
    { id: 'core10-discharge', instrumentIds: ['core10'], respondent: 'client', trigger: { kind: 'discharge' } },
  ] satisfies ProtocolRule[]) as readonly ProtocolRule[],
});
