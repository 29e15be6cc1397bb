import { lazy, type ReactNode } from 'react';
import type { Role } from '../api/types';
import type { MessageKey } from '../i18n/i18n';
import { Caseload } from '../screens/caseload/Caseload';
import { Today } from '../screens/Today';
import { ClientPage } from '../screens/client/ClientPage';
import { NewClient } from '../screens/client/NewClient';
import { Account } from '../screens/Account';
import { RateSession } from '../screens/client/RateSession';

const AlertsInbox = lazy(() => import('../screens/alerts/AlertsInbox').then((m) => ({ default: m.AlertsInbox })));
const Protocols = lazy(() => import('../screens/admin/Protocols').then((m) => ({ default: m.Protocols })));
const ContentPacks = lazy(() => import('../screens/admin/ContentPacks').then((m) => ({ default: m.ContentPacks })));
const SupervisionView = lazy(() => import('../screens/alerts/AlertsInbox').then((m) => ({ default: m.SupervisionView })));
const CalibrationScreen = lazy(() => import('../screens/Calibration').then((m) => ({ default: m.CalibrationScreen })));
const TherapistCalibrationScreen = lazy(() => import('../screens/Calibration').then((m) => ({ default: m.TherapistCalibrationScreen })));
const CustomInstruments = lazy(() => import('../screens/admin/CustomInstruments').then((m) => ({ default: m.CustomInstruments })));
const Reports = lazy(() => import('../screens/reports/Reports').then((m) => ({ default: m.Reports })));

// Administration is not needed on the first screen: its code loads when an admin opens it.
const Users = lazy(() => import('../screens/admin/Users').then((m) => ({ default: m.Users })));
const Programmes = lazy(() => import('../screens/admin/Programmes').then((m) => ({ default: m.Programmes })));
const Settings = lazy(() => import('../screens/admin/Settings').then((m) => ({ default: m.Settings })));
const ClientAudit = lazy(() => import('../screens/admin/ClientAudit').then((m) => ({ default: m.ClientAudit })));
const Import = lazy(() => import('../screens/admin/Import').then((m) => ({ default: m.Import })));

export type AppRoute = {
  path: string;
  render: (params: Record<string, string>) => ReactNode;
  /** Who may open it; the API would refuse the others, so the app hides it. */
  roles?: Role[];
  /** Shown in the main navigation under this label, in this order. */
  nav?: MessageKey;
};

/**
 * Every screen behind sign-in. SLOTS FOR ISSUES 5/6 — add rows here:
 *  - `/alerts` (alerts inbox, nav 'nav.alerts'), `/supervision` (roles supervisor/admin),
 *  - `/calibration` (the therapist's private report), `/clients/:clientId/rate/:appointmentId`
 *    (rate this session), `/admin/instruments` (content packs and custom instruments),
 *  - `/admin/programmes/:programmeId/protocol` (protocol editor with preview).
 */
export const appRoutes: AppRoute[] = [
  { path: '/', render: () => <Caseload />, nav: 'nav.caseload' },
  { path: '/today', render: () => <Today />, nav: 'nav.today' },
  { path: '/clients/new', render: () => <NewClient /> },
  { path: '/clients/:clientId', render: (p) => <ClientPage key={p.clientId} clientId={p.clientId!} /> },
  { path: '/clients/:clientId/rate/:assignmentId', render: (p) => <RateSession key={p.assignmentId} clientId={p.clientId!} assignmentId={p.assignmentId!} />, roles: ['clinician', 'supervisor', 'admin'] },
  { path: '/alerts', render: () => <AlertsInbox />, nav: 'nav.alerts' },
  { path: '/supervision', render: () => <SupervisionView />, roles: ['supervisor', 'admin'], nav: 'nav.supervision' },
  { path: '/calibration', render: () => <CalibrationScreen />, nav: 'nav.calibration' },
  // Every staff role: the API gives a clinician their own caseload only, admins and supervisors the whole clinic.
  { path: '/reports', render: () => <Reports />, nav: 'nav.reports' },
  { path: '/clients/:clientId/audit', render: (p) => <ClientAudit clientId={p.clientId!} />, roles: ['admin'] },
  { path: '/admin/users', render: () => <Users />, roles: ['admin', 'supervisor'], nav: 'nav.users' },
  // A therapist's calibration, for supervision: the API shows it only when the therapist shares it.
  { path: '/admin/users/:userId/calibration', render: (p) => <TherapistCalibrationScreen key={p.userId} userId={p.userId!} />, roles: ['supervisor', 'admin'] },
  { path: '/admin/programmes', render: () => <Programmes />, roles: ['admin'], nav: 'nav.programmes' },
  { path: '/admin/protocols', render: () => <Protocols />, roles: ['admin'], nav: 'nav.protocols' },
  { path: '/admin/content-packs', render: () => <ContentPacks />, roles: ['admin'], nav: 'nav.contentPacks' },
  { path: '/admin/custom-instruments', render: () => <CustomInstruments />, roles: ['admin'], nav: 'nav.customInstruments' },
  { path: '/admin/import', render: () => <Import />, roles: ['admin'], nav: 'nav.import' },
  { path: '/admin/settings', render: () => <Settings />, roles: ['admin'], nav: 'nav.settings' },
  { path: '/account', render: () => <Account /> },
];
