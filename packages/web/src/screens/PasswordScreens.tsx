import { useState, type ReactNode } from 'react';
import { endpoints } from '../api/endpoints';
import { ApiError, fieldError, formError } from '../api/client';
import { Link, takeHashToken } from '../app/router';
import { useT } from '../i18n/i18n';
import { ErrorState, FormMessage, Loading, PageTitle, TextField, useAsync, useSubmit } from '../ui/ui';

export function ForgotPassword() {
  const t = useT();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const submit = useSubmit(async () => {
    await endpoints.requestPasswordReset(email.trim());
    setSent(true);
  });
  return (
    <div className="auth-card">
      <PageTitle title={t('forgot.title')}>{t('forgot.title')}</PageTitle>
      {sent ? (
        <p role="status">{t('forgot.sent')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit.run();
          }}
          noValidate
        >
          <p>{t('forgot.intro')}</p>
          <FormMessage error={formError(submit.error, ['email'])} />
          <TextField label={t('field.email')} type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(submit.error, 'email')} />
          <button type="submit" className="primary" disabled={submit.pending}>
            {t('forgot.submit')}
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
      </p>
    </div>
  );
}

/** A new password typed twice: a reset, or the first password of someone invited. */
function NewPasswordForm({ intro, submitLabel, onSubmit }: { intro: string; submitLabel: string; onSubmit: (password: string) => Promise<unknown> }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const submit = useSubmit(() => onSubmit(password));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (password !== repeat) return setMismatch(true);
        setMismatch(false);
        void submit.run();
      }}
      noValidate
    >
      <p>{intro}</p>
      <FormMessage error={formError(submit.error, ['password'])} />
      <TextField label={t('field.newPassword')} hint={t('field.passwordHint')} type="password" name="password" autoComplete="new-password" minLength={12} required value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(submit.error, 'password')} />
      <TextField label={t('field.repeatPassword')} type="password" name="repeat" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} error={mismatch ? t('field.passwordMismatch') : undefined} />
      <button type="submit" className="primary" disabled={submit.pending}>
        {submitLabel}
      </button>
    </form>
  );
}

/** The frame of a screen opened from an emailed link (`#token=` keeps the token out of server logs). */
function TokenCard({ title, done, children }: { title: string; done: boolean; children: ReactNode }) {
  const t = useT();
  return (
    <div className="auth-card">
      <PageTitle title={title}>{title}</PageTitle>
      {children}
      <p>
        <Link to="/sign-in">{done ? t('auth.signInNow') : t('auth.backToSignIn')}</Link>
      </p>
    </div>
  );
}

export function ResetPassword() {
  const t = useT();
  const [token] = useState(() => takeHashToken());
  const [done, setDone] = useState(false);
  return (
    <TokenCard title={t('reset.title')} done={done}>
      {!token ? (
        <p role="alert">{t('token.missing')}</p>
      ) : done ? (
        <p role="status">{t('reset.done')}</p>
      ) : (
        <NewPasswordForm
          intro={t('reset.intro')}
          submitLabel={t('reset.submit')}
          onSubmit={async (password) => {
            await endpoints.completePasswordReset(token, password);
            setDone(true);
          }}
        />
      )}
    </TokenCard>
  );
}

/**
 * Accepting an invitation. The server says which clinic invited them and whether they already have
 * a Rapport account (at another clinic): then they join with the password they sign in with, which
 * stays as it is; otherwise they choose one.
 */
export function AcceptInvitation() {
  const t = useT();
  const [token] = useState(() => takeHashToken());
  const details = useAsync(() => (token ? endpoints.invitationDetails(token) : Promise.resolve(null)), [token]);
  const [done, setDone] = useState(false);
  const clinic = details.data?.organisationName ?? '';
  const accept = async (password: string) => {
    await endpoints.acceptInvitation(token ?? '', password);
    setDone(true);
  };
  let body: ReactNode;
  if (!token) body = <p role="alert">{t('token.missing')}</p>;
  else if (details.loading) body = <Loading label={t('invitation.checking')} />;
  else if (details.error instanceof ApiError && details.error.code === 'invalid_token') body = <p role="alert">{t('invitation.invalid')}</p>;
  else if (details.error || !details.data) body = <ErrorState error={details.error} onRetry={details.reload} />;
  else if (done) body = <p role="status">{t(details.data.existingAccount ? 'invitation.existingDone' : 'invitation.done', { clinic })}</p>;
  else if (details.data.existingAccount) body = <CurrentPasswordForm clinic={clinic} onSubmit={accept} />;
  else body = <NewPasswordForm intro={t('invitation.intro', { clinic })} submitLabel={t('invitation.submit')} onSubmit={accept} />;
  return (
    <TokenCard title={t('invitation.title')} done={done}>
      {body}
    </TokenCard>
  );
}

/** Someone who already has an account joins with the password they sign in with. */
function CurrentPasswordForm({ clinic, onSubmit }: { clinic: string; onSubmit: (password: string) => Promise<unknown> }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const submit = useSubmit(() => onSubmit(password));
  const wrong = submit.error instanceof ApiError && submit.error.code === 'invalid_credentials';
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <p>{t('invitation.existingIntro', { clinic })}</p>
      <FormMessage error={wrong ? undefined : formError(submit.error, ['password'])} />
      <TextField
        label={t('field.currentPassword')}
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={wrong ? t('invitation.wrongPassword') : fieldError(submit.error, 'password')}
      />
      <button type="submit" className="primary" disabled={submit.pending}>
        {t('invitation.existingSubmit', { clinic })}
      </button>
      <p>
        <Link to="/forgot-password">{t('invitation.forgot')}</Link>
      </p>
    </form>
  );
}
