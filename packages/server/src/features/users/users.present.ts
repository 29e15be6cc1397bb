import type { StaffMemberRow, UrgentSmsSettings } from './users.queries';

/** The only shape of a staff member sent out: never the password hash, TOTP seed or tokens. */
export function presentStaffMember(m: StaffMemberRow) {
  return {
    id: m.id,
    email: m.email,
    displayName: m.displayName,
    role: m.role,
    status: m.status,
    experienceYears: m.experienceYears,
    trainee: m.trainee,
    calibrationConsent: m.calibrationConsent,
    mfaEnabled: m.mfaEnabledAt !== null,
    /** False until they accept this clinic's invitation (an outstanding or withdrawn one). */
    joined: m.hasJoined,
    joinedAt: m.joinedAt.toISOString(),
    deactivatedAt: m.deactivatedAt ? m.deactivatedAt.toISOString() : null,
  };
}

/** A person's own settings, shown only to themselves: their alert mobile number is in it, nowhere else. */
export function presentMeSettings(m: StaffMemberRow, sms: UrgentSmsSettings, smsAvailable: boolean) {
  return {
    locale: m.locale === 'fr' ? ('fr' as const) : ('en' as const),
    calibrationConsent: m.calibrationConsent,
    alertMobile: sms.alertMobile,
    smsUrgentAlerts: sms.smsUrgentAlerts,
    smsUrgentAlertsSetAt: sms.smsUrgentAlertsSetAt ? sms.smsUrgentAlertsSetAt.toISOString() : null,
    smsAvailable,
  };
}
