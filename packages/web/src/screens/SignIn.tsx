import { useState, type FormEvent } from 'react';
import { endpoints } from '../api/endpoints';
import { fieldError, formError } from '../api/client';
import { useSession } from '../app/session';
import { Link } from '../app/router';
import { useT } from '../i18n/i18n';
import { FormMessage, PageTitle, TextField, useSubmit } from '../ui/ui';

/** Email and password; the server says whether a second step (code, or enrolment) follows. */
export function SignIn() {
  const t = useT();
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit(async () => {
    await endpoints.signIn(email.trim(), password);
    await refresh();
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit.run();
  };
  const fields = ['email', 'password'];
  return (
    <div className="auth-card">
      <PageTitle title={t('signIn.title')}>{t('signIn.title')}</PageTitle>
      <form onSubmit={onSubmit} noValidate>
        <FormMessage error={formError(submit.error, fields)} />
        <TextField label={t('field.email')} type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(submit.error, 'email')} />
        <TextField label={t('field.password')} type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(submit.error, 'password')} />
        <button type="submit" className="primary" disabled={submit.pending}>
          {submit.pending ? t('signIn.signingIn') : t('signIn.submit')}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t('signIn.forgot')}</Link>
      </p>
    </div>
  );
}

/** The second step: a 6-digit code from the authenticator app, or one recovery code. */
export function MfaVerify() {
  const t = useT();
  const { refresh, signOut } = useSession();
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const submit = useSubmit(async () => {
    await endpoints.verifyMfa(useRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s/g, '') });
    await refresh();
  });
  const field = useRecovery ? 'recoveryCode' : 'code';
  return (
    <div className="auth-card">
      <PageTitle title={t('mfa.title')}>{t('mfa.title')}</PageTitle>
      <p>{useRecovery ? t('mfa.recoveryIntro') : t('mfa.codeIntro')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run();
        }}
        noValidate
      >
        <FormMessage error={formError(submit.error, [field])} />
        {useRecovery ? (
          <TextField key="recovery" label={t('mfa.recoveryCode')} name="recoveryCode" autoComplete="off" required value={value} onChange={(e) => setValue(e.target.value)} error={fieldError(submit.error, 'recoveryCode')} />
        ) : (
          <TextField key="code" label={t('mfa.code')} name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]*" maxLength={6} required value={value} onChange={(e) => setValue(e.target.value)} error={fieldError(submit.error, 'code')} />
        )}
        <button type="submit" className="primary" disabled={submit.pending}>
          {t('mfa.verify')}
        </button>
      </form>
      <p className="actions">
        <button
          type="button"
          className="link"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setValue('');
            submit.setError(undefined);
          }}
        >
          {useRecovery ? t('mfa.useCode') : t('mfa.useRecovery')}
        </button>
        <button type="button" className="link" onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </p>
    </div>
  );
}
