import { useState } from 'react';
import { endpoints } from '../api/endpoints';
import { fieldError, formError } from '../api/client';
import { Link, takeHashToken } from '../app/router';
import { useT, type MessageKey } from '../i18n/i18n';
import { FormMessage, PageTitle, TextField, useSubmit } from '../ui/ui';

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

/** Choose a password with a single-use token from an email (`#token=` keeps it out of server logs). */
function TokenPasswordForm({ kind }: { kind: 'reset' | 'invitation' }) {
  const t = useT();
  const [token] = useState(() => takeHashToken());
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const submit = useSubmit(async () => {
    if (kind === 'reset') await endpoints.completePasswordReset(token ?? '', password);
    else await endpoints.acceptInvitation(token ?? '', password);
    setDone(true);
  });
  const k = (suffix: string) => `${kind}.${suffix}` as MessageKey;
  return (
    <div className="auth-card">
      <PageTitle title={t(k('title'))}>{t(k('title'))}</PageTitle>
      {!token ? (
        <p role="alert">{t('token.missing')}</p>
      ) : done ? (
        <p role="status">{t(k('done'))}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (password !== repeat) return setMismatch(true);
            setMismatch(false);
            void submit.run();
          }}
          noValidate
        >
          <p>{t(k('intro'))}</p>
          <FormMessage error={formError(submit.error, ['password'])} />
          <TextField label={t('field.newPassword')} hint={t('field.passwordHint')} type="password" name="password" autoComplete="new-password" minLength={12} required value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(submit.error, 'password')} />
          <TextField label={t('field.repeatPassword')} type="password" name="repeat" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} error={mismatch ? t('field.passwordMismatch') : undefined} />
          <button type="submit" className="primary" disabled={submit.pending}>
            {t(k('submit'))}
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{done ? t('auth.signInNow') : t('auth.backToSignIn')}</Link>
      </p>
    </div>
  );
}

export const ResetPassword = () => <TokenPasswordForm kind="reset" />;
export const AcceptInvitation = () => <TokenPasswordForm kind="invitation" />;
