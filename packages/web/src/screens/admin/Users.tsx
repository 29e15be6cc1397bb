import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import type { Role, StaffUser } from '../../api/types';
import { Link } from '../../app/router';
import { useMe } from '../../app/session';
import { useT } from '../../i18n/i18n';
import { Async, CheckboxField, FormMessage, PageTitle, SelectField, TextField, useAsync, useSubmit } from '../../ui/ui';

const ROLES: Role[] = ['clinician', 'supervisor', 'admin'];

/**
 * Staff: invite, change role, deactivate/reactivate, reset two-step sign-in, send a password reset;
 * an invitation not yet accepted can only be sent again or withdrawn (the server refuses the rest);
 * and, for supervisors and admins, each therapist's calibration report (shown only if they share it).
 */
export function Users() {
  const t = useT();
  const { can } = useMe();
  const state = useAsync(() => endpoints.users('all').then((r) => r.items), []);
  const [notice, setNotice] = useState<string | undefined>();
  const admin = can('admin');
  const replace = (u: StaffUser) => state.data && state.setData(state.data.map((x) => (x.id === u.id ? u : x)));
  return (
    <section>
      <PageTitle title={t('users.title')}>{t('users.title')}</PageTitle>
      {admin && (
        <InviteForm
          onInvited={(u) => {
            setNotice(t('users.invited', { email: u.email }));
            state.reload();
          }}
        />
      )}
      <FormMessage success={notice} />
      <Async state={state} isEmpty={(d) => d.length === 0} empty={t('users.empty')}>
        {(users) => (
          <table className="data">
            <caption className="visually-hidden">{t('users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.status')}</th>
                <th scope="col">{t('users.mfa')}</th>
                <th scope="col">{t('users.calibration')}</th>
                {admin && <th scope="col">{t('users.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <UserRow key={u.id} user={u} admin={admin} onChange={replace} onNotice={setNotice} />
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </section>
  );
}

function UserRow({ user: u, admin, onChange, onNotice }: { user: StaffUser; admin: boolean; onChange: (u: StaffUser) => void; onNotice: (s: string) => void }) {
  const t = useT();
  const { me } = useMe();
  const act = useSubmit(async (what: 'role' | 'deactivate' | 'reactivate' | 'mfa' | 'password' | 'resend' | 'withdraw', role?: Role) => {
    if (what === 'role') onChange(await endpoints.updateUser(u.id, { role: role! }));
    if (what === 'deactivate') onChange(await endpoints.deactivateUser(u.id));
    if (what === 'withdraw') {
      onChange(await endpoints.deactivateUser(u.id));
      onNotice(t('users.inviteWithdrawn', { email: u.email }));
    }
    if (what === 'resend') {
      // Inviting the same address again sends a fresh link for the same membership (or renews a withdrawn one).
      onChange(await endpoints.inviteUser({ email: u.email, displayName: u.displayName, role: u.role, experienceYears: u.experienceYears, trainee: u.trainee }));
      onNotice(t('users.inviteResent', { email: u.email }));
    }
    if (what === 'reactivate') onChange(await endpoints.reactivateUser(u.id));
    if (what === 'mfa') {
      onChange(await endpoints.resetUserMfa(u.id));
      onNotice(t('users.mfaResetDone', { name: u.displayName }));
    }
    if (what === 'password') {
      await endpoints.sendUserPasswordReset(u.id);
      onNotice(t('users.passwordResetSent', { name: u.displayName }));
    }
  });
  const self = u.id === me.user.id;
  const status = u.joined ? t(`userStatus.${u.status}`) : u.status === 'deactivated' ? t('users.invitationWithdrawn') : t('users.invitationPending');
  const label = <span className="visually-hidden"> {u.displayName}</span>;
  return (
    <tr>
      <th scope="row">
        {u.displayName}
        <div className="muted">{u.email}</div>
      </th>
      <td>
        {admin && !self ? (
          <select aria-label={t('users.roleOf', { name: u.displayName })} value={u.role} disabled={act.pending} onChange={(e) => void act.run('role', e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        ) : (
          t(`role.${u.role}`)
        )}
      </td>
      <td>{status}</td>
      <td>{u.mfaEnabled ? t('common.yes') : t('common.no')}</td>
      <td>
        {u.joined && (
          <>
            <Link to={`/admin/users/${encodeURIComponent(u.id)}/calibration`} aria-label={t('users.calibrationOf', { name: u.displayName })}>
              {t('users.calibration')}
            </Link>
            {!u.calibrationConsent && <span className="muted"> ({t('users.calibrationNotShared')})</span>}
          </>
        )}
      </td>
      {admin && (
        <td>
          {!self && !u.joined && (
            <div className="button-row">
              <button type="button" className="small" disabled={act.pending} onClick={() => void act.run('resend')}>
                {t('users.resendInvite')}
                {label}
              </button>
              {u.status !== 'deactivated' && (
                <button type="button" className="small" disabled={act.pending} onClick={() => void act.run('withdraw')}>
                  {t('users.withdrawInvite')}
                  {label}
                </button>
              )}
            </div>
          )}
          {!self && u.joined && (
            <div className="button-row">
              {u.status === 'deactivated' ? (
                <button type="button" className="small" disabled={act.pending} onClick={() => void act.run('reactivate')}>
                  {t('users.reactivate')}
                  {label}
                </button>
              ) : (
                <button type="button" className="small" disabled={act.pending} onClick={() => void act.run('deactivate')}>
                  {t('users.deactivate')}
                  {label}
                </button>
              )}
              {u.mfaEnabled && (
                <button type="button" className="small" disabled={act.pending} onClick={() => void act.run('mfa')}>
                  {t('users.resetMfa')}
                  {label}
                </button>
              )}
              {u.status === 'active' && (
                <button type="button" className="small" disabled={act.pending} onClick={() => void act.run('password')}>
                  {t('users.sendReset')}
                  {label}
                </button>
              )}
            </div>
          )}
          {act.error ? (
            <p className="field-error" role="alert">
              {act.error instanceof Error ? act.error.message : ''}
            </p>
          ) : null}
        </td>
      )}
    </tr>
  );
}

function InviteForm({ onInvited }: { onInvited: (u: StaffUser) => void }) {
  const t = useT();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('clinician');
  const [years, setYears] = useState('');
  const [trainee, setTrainee] = useState(false);
  const submit = useSubmit(async () => {
    const u = await endpoints.inviteUser({ email: email.trim(), displayName: displayName.trim(), role, trainee, ...(years ? { experienceYears: Number(years) } : {}) });
    setEmail('');
    setDisplayName('');
    setYears('');
    setTrainee(false);
    onInvited(u);
  });
  const fields = ['email', 'displayName', 'role', 'experienceYears', 'trainee'];
  return (
    <form
      className="subform"
      aria-labelledby="invite-h"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <h2 id="invite-h">{t('users.invite')}</h2>
      <FormMessage error={formError(submit.error, fields)} />
      <div className="form-grid">
        <TextField label={t('field.email')} type="email" name="inviteEmail" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(submit.error, 'email')} />
        <TextField label={t('users.displayName')} name="displayName" autoComplete="off" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={fieldError(submit.error, 'displayName')} />
        <SelectField label={t('users.role')} value={role} onChange={(e) => setRole(e.target.value as Role)} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} error={fieldError(submit.error, 'role')} />
        <TextField label={t('users.experienceYears')} type="number" min={0} max={70} value={years} onChange={(e) => setYears(e.target.value)} error={fieldError(submit.error, 'experienceYears')} />
        <CheckboxField label={t('users.trainee')} checked={trainee} onChange={(e) => setTrainee(e.target.checked)} />
      </div>
      <button type="submit" className="primary" disabled={submit.pending}>
        {t('users.sendInvite')}
      </button>
    </form>
  );
}
