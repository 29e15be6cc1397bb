import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher } from '../api/client';
import { App } from '../app/App';
import { navigate } from '../app/router';
import { fakeApi } from '../test/fake-api';

const me = {
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'ann@clinic.test', displayName: 'Ann Admin', mfaEnabled: false, locale: 'en' },
  organisation: { id: '00000000-0000-4000-8000-000000000002', name: 'Harbour Clinic' },
  role: 'admin',
  stage: 'full',
  organisations: [],
};
const rules = [
  { id: 'phq-before', instrumentIds: ['phq9'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 13 } },
  { id: 'wai-after', instrumentIds: ['rapport_alliance_therapist'], respondent: 'clinician', trigger: { kind: 'after_each_attended' } },
  { id: 'core-discharge', instrumentIds: ['core10'], respondent: 'client', trigger: { kind: 'discharge' } },
];
const protocol = { id: 'p1', source: 'organisation', programmeId: null, episodeId: null, name: 'Clinic default', rules, reminderAfterDays: 3, expiryDays: null, version: 1, createdAt: null, updatedAt: null, archivedAt: null };
const settings = { colour: '#1f5f8b', timeZone: 'UTC', workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, mfaRequired: false, crisisResources: null, linkExpiryDays: 4, reminderAfterDays: 2, quietHours: { start: '21:00', end: '08:00' }, onCallSupervisorUserId: null, languages: ['en'] };
const item = (over: Record<string, unknown>) => ({ ruleId: 'phq-before', instrumentIds: ['phq9'], respondent: 'client', channel: 'link', appointmentIndex: 0, trigger: 'before_each', reminderAt: null, expiresAt: null, ...over });

vi.setConfig({ testTimeout: 30_000 });
beforeEach(() => navigate('/admin/protocols', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('protocol preview', () => {
  it('previews with the protocol’s own days and a discharge, and says when quiet hours move a message or nothing is sent', async () => {
    const calls = fakeApi({
      'GET /api/v1/me': { status: 200, body: me },
      // Times show in the clinic's zone: UTC here, whatever the machine's zone.
      'GET /api/v1/organisation': { status: 200, body: { id: me.organisation.id, name: 'Harbour Clinic', settings, updatedAt: '2030-01-01T00:00:00.000Z' } },
      'GET /api/v1/protocols': { status: 200, body: { items: [protocol], builtIn: protocol } },
      'GET /api/v1/instruments': { status: 200, body: { items: [{ id: 'phq9', shortName: 'PHQ-9' }, { id: 'rapport_alliance_therapist', shortName: 'Alliance check (therapist)' }] } },
      'POST /api/v1/protocols/preview': {
        status: 200,
        body: {
          items: [
            item({ dueAt: '2030-03-04T21:00:00.000Z', sendAt: '2030-03-05T08:00:00.000Z', reminderAt: '2030-03-08T08:00:00.000Z' }),
            item({ ruleId: 'wai-after', instrumentIds: ['rapport_alliance_therapist'], respondent: 'clinician', channel: 'in_session', trigger: 'after_each_attended', dueAt: '2030-03-05T10:50:00.000Z', sendAt: null }),
            item({ ruleId: 'core-discharge', instrumentIds: ['core10'], appointmentIndex: null, trigger: 'discharge', dueAt: '2030-04-16T10:00:00.000Z', sendAt: '2030-04-16T10:00:00.000Z' }),
          ],
        },
      },
    });
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Preview' }, { timeout: 10_000 }));
    const table = await screen.findByRole('table', { name: /What a client would receive .* and at discharge a week later/ });
    const [, moved, inSession, discharge] = within(table).getAllByRole('row');
    expect(within(moved!).getByRole('rowheader').textContent).toBe('5 Mar 2030, 08:00 (due 4 Mar 2030, 21:00, moved out of the client’s quiet hours)');
    expect(within(inSession!).getByRole('rowheader').textContent).toBe('5 Mar 2030, 10:50, answered in session (no message)');
    expect(within(discharge!).getByRole('rowheader').textContent).toBe('16 Apr 2030, 10:00');
    // Instruments by their catalogue names; one the catalogue does not know keeps its id, in capitals.
    expect([moved, inSession, discharge].map((row) => within(row!).getAllByRole('cell')[0]!.textContent)).toEqual(['PHQ-9', 'Alliance check (therapist)', 'CORE10']);
    const body = calls.find((c) => c.url === '/api/v1/protocols/preview')!.body as { appointments: { startsAt: string }[]; discharge: string; reminderAfterDays: unknown; expiryDays: unknown };
    expect(body).toMatchObject({ reminderAfterDays: 3, expiryDays: null });
    expect(body.appointments).toHaveLength(6);
    expect(new Date(body.discharge).getTime() - new Date(body.appointments[5]!.startsAt).getTime()).toBe(7 * 86_400_000);
  });
});
