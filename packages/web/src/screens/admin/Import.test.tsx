import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher } from '../../api/client';
import type { ImportReport } from '../../api/types';
import { App } from '../../app/App';
import { navigate } from '../../app/router';
import { fakeApi } from '../../test/fake-api';

const me = {
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'lee@clinic.test', displayName: 'Lee Admin', mfaEnabled: true, locale: 'en' },
  organisation: { id: '00000000-0000-4000-8000-000000000002', name: 'Harbour Clinic' },
  role: 'admin',
  stage: 'full',
  organisations: [],
};
const signedIn = { 'GET /api/v1/me': { status: 200, body: me }, 'GET /api/v1/organisation': { status: 200, body: { id: me.organisation.id, name: 'Harbour Clinic', settings: { timeZone: 'Europe/London', languages: ['en', 'fr'] } } } };

const report = (overrides: Partial<ImportReport> = {}): ImportReport => ({
  importId: '00000000-0000-4000-8000-0000000000aa',
  kind: 'clients',
  format: 'csv',
  mode: 'all-or-nothing',
  dryRun: true,
  rows: 3,
  valid: 2,
  invalid: 1,
  duplicates: 0,
  imported: 0,
  errors: [{ row: 3, column: 'date_of_birth', code: 'invalid_value', message: 'Row 3, column date_of_birth: not a date (expected YYYY-MM-DD).' }],
  moreErrors: 0,
  ...overrides,
});

/**
 * A stand-in for XMLHttpRequest that records what was sent and answers like the server: upload
 * progress, then NDJSON lines (progress, report) or a JSON error. `answer` decides per request.
 */
type Answer = { status: number; lines?: unknown[]; body?: unknown; gate?: Promise<void>; secondGate?: Promise<void> };
const sent: { url: string; headers: Record<string, string>; body: unknown }[] = [];
let answer: (url: string) => Answer = () => ({ status: 500 });
class FakeXhr {
  status = 0;
  responseText = '';
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onprogress: (() => void) | null = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private url = '';
  private headers: Record<string, string> = {};
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    sent.push({ url: this.url, headers: this.headers, body });
    const a = answer(this.url);
    setTimeout(async () => {
      this.upload.onprogress?.({ loaded: 50, total: 100, lengthComputable: true });
      await a.gate;
      this.status = a.status;
      if (a.lines) {
        const [first, ...rest] = a.lines.map((l) => `${JSON.stringify(l)}\n`);
        this.responseText = first ?? '';
        this.onprogress?.();
        await a.secondGate;
        this.responseText += rest.join('');
      } else {
        this.responseText = JSON.stringify(a.body);
      }
      this.onload?.();
    }, 5);
  }
}

beforeEach(() => {
  sent.length = 0;
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  navigate('/admin/import', { replace: true });
});
afterEach(() => {
  vi.unstubAllGlobals();
  setFetcher((...args) => fetch(...args));
});
const slow = { timeout: 20_000 };

async function chooseFile(name = 'clients.csv', type = 'text/csv') {
  await screen.findByRole('heading', { level: 1, name: 'Import data' });
  const input = screen.getByLabelText('CSV file');
  fireEvent.change(input, { target: { files: [new File(['given_name,family_name\r\nAda,Lovelace\r\n'], name, { type })] } });
}

describe('the import screen', slow, () => {
  it('checks a file as a dry run first, shows the problems by row and column, then imports the valid rows', async () => {
    fakeApi(signedIn);
    answer = (url) =>
      url.includes('dryRun=true')
        ? { status: 200, lines: [{ type: 'started' }, { type: 'progress', rows: 3 }, { type: 'report', report: report() }] }
        : { status: 200, lines: [{ type: 'started' }, { type: 'report', report: report({ dryRun: false, mode: 'valid-only', imported: 2 }) }] };
    render(<App />);
    await chooseFile();
    fireEvent.click(screen.getByRole('button', { name: 'Check file' }));
    const region = await screen.findByRole('region', { name: 'Report' });
    expect(sent[0]!.url).toBe('/api/v1/imports/clients?mode=all-or-nothing&dryRun=true');
    expect(sent[0]!.headers).toMatchObject({ 'content-type': 'text/csv', accept: expect.stringContaining('application/x-ndjson') });
    expect(sent[0]!.body).toBeInstanceOf(File);
    expect(within(region).getByRole('status').textContent).toBe('3 rows: 2 valid, 1 invalid, 0 already in the clinic (skipped). This was a check: nothing was written. 2 rows would be imported.');
    const table = within(region).getByRole('table', { name: 'Problems by row' });
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual(['RowColumnProblemCode', '3date_of_birthRow 3, column date_of_birth: not a date (expected YYYY-MM-DD).invalid_value']);
    // An invalid row: no "import now" offer after the check.
    expect(within(region).queryByRole('button', { name: /Import the/ })).toBeNull();

    fireEvent.change(screen.getByLabelText('If some rows are invalid'), { target: { value: 'valid-only' } });
    fireEvent.click(screen.getByLabelText('Check only (dry run): validate every row, write nothing'));
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(screen.getByRole('region', { name: 'Report' }).textContent).toContain('2 rows imported.'));
    expect(sent[1]!.url).toBe('/api/v1/imports/clients?mode=valid-only&dryRun=false');
  });

  it('shows upload progress, then rows processed, as an accessible progress bar', async () => {
    fakeApi(signedIn);
    let release = () => {};
    let releaseSecond = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const secondGate = new Promise<void>((resolve) => (releaseSecond = resolve));
    answer = () => ({ status: 200, gate, secondGate, lines: [{ type: 'progress', rows: 500 }, { type: 'report', report: report() }] });
    render(<App />);
    await chooseFile();
    fireEvent.click(screen.getByRole('button', { name: 'Check file' }));
    const bar = await screen.findByRole('progressbar', { name: 'Uploading: 50%' });
    expect(bar.getAttribute('value')).toBe('50');
    expect((screen.getByRole('button', { name: 'Check file' }) as HTMLButtonElement).disabled).toBe(true);
    release();
    await screen.findByRole('progressbar', { name: 'Checking and importing: 500 rows processed' });
    releaseSecond();
    await screen.findByRole('region', { name: 'Report' });
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('offers to import right after a clean check', async () => {
    fakeApi(signedIn);
    answer = (url) => ({ status: 200, lines: [{ type: 'report', report: url.includes('dryRun=true') ? report({ invalid: 0, valid: 3, errors: [] }) : report({ dryRun: false, invalid: 0, valid: 3, imported: 3, errors: [] }) }] });
    render(<App />);
    await chooseFile();
    fireEvent.click(screen.getByRole('button', { name: 'Check file' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Import the 3 valid rows now' }));
    await waitFor(() => expect(screen.getByRole('region', { name: 'Report' }).textContent).toContain('3 rows imported.'));
    expect(sent.map((s) => s.url)).toEqual(['/api/v1/imports/clients?mode=all-or-nothing&dryRun=true', '/api/v1/imports/clients?mode=all-or-nothing&dryRun=false']);
  });

  it('shows a wrong header as an error naming the column, and sends an .ics file as text/calendar', async () => {
    fakeApi(signedIn);
    answer = () => ({ status: 400, body: { error: { code: 'import_bad_header', message: 'Unknown column: nhs_number. Expected columns: given_name, family_name (required).', field: 'nhs_number' } } });
    render(<App />);
    await chooseFile();
    fireEvent.click(screen.getByRole('button', { name: 'Check file' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Unknown column: nhs_number.');
    expect(screen.queryByRole('region', { name: 'Report' })).toBeNull();

    fireEvent.change(screen.getByLabelText('What to import'), { target: { value: 'appointments' } });
    fireEvent.change(screen.getByLabelText('CSV or iCalendar (.ics) file'), { target: { files: [new File(['BEGIN:VCALENDAR'], 'diary.ics')] } });
    fireEvent.click(screen.getByRole('button', { name: 'Check file' }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]!).toMatchObject({ url: '/api/v1/imports/appointments?mode=all-or-nothing&dryRun=true', headers: { 'content-type': 'text/calendar' } });
  });

  it('gives each problem in French by its code (the server’s sentence is English)', async () => {
    fakeApi({ ...signedIn, 'GET /api/v1/me': { status: 200, body: { ...me, user: { ...me.user, locale: 'fr' } } } });
    answer = () => ({ status: 200, lines: [{ type: 'report', report: report({ errors: [...report().errors, { row: 4, column: 'client_email', code: 'some_new_code', message: 'Row 4, column client_email: something new.' }] }) }] });
    render(<App />);
    await screen.findByRole('heading', { level: 1, name: 'Importer des données' });
    fireEvent.change(screen.getByLabelText('Fichier CSV'), { target: { files: [new File(['x'], 'clients.csv', { type: 'text/csv' })] } });
    fireEvent.click(screen.getByRole('button', { name: 'Vérifier le fichier' }));
    const table = within(await screen.findByRole('region', { name: 'Rapport' })).getByRole('table', { name: 'Problèmes par ligne' });
    const cells = within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell')[1]!.textContent);
    // A code the screen does not know keeps the server's sentence.
    expect(cells).toEqual(['valeur invalide (voir le format attendu dans le tableau des colonnes ci-dessous)', 'Row 4, column client_email: something new.']);
  });

  it('documents the columns of each kind with a template, and has no axe violations with a report shown', async () => {
    fakeApi(signedIn);
    answer = () => ({ status: 200, lines: [{ type: 'report', report: report({ moreErrors: 4 }) }] });
    render(<App />);
    await chooseFile();
    const links = within(screen.getByRole('navigation', { name: 'Main' })).getAllByRole('link').map((l) => l.textContent);
    expect(links.indexOf('Import')).toBe(links.indexOf('Clinic settings') - 1);
    const columns = screen.getByRole('region', { name: 'Columns for Clients' });
    expect(within(columns).getAllByRole('rowheader').map((c) => c.textContent)).toContain('date_of_birth');
    const link = within(columns).getByRole('link', { name: 'Download a template for Clients (CSV)' });
    expect(decodeURIComponent(link.getAttribute('href')!)).toMatch(/^data:text\/csv;charset=utf-8,given_name,family_name,/);
    fireEvent.click(screen.getByRole('button', { name: 'Check file' }));
    await screen.findByRole('region', { name: 'Report' });
    expect(screen.getByText('And 4 more problems not listed. Fix these and check again.')).toBeTruthy();
    const options = { rules: { 'color-contrast': { enabled: false } } };
    expect((await axe.run(screen.getByRole('main'), options)).violations).toEqual([]);
  });
});
