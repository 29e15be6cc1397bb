import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { endpoints } from '../api/endpoints';
import { fieldError, formError } from '../api/client';
import { useT } from '../i18n/i18n';
import { ErrorState, FormMessage, Loading, PageTitle, TextField, useSubmit } from '../ui/ui';

/**
 * Two-step sign-in set-up: scan the QR code (or type the key), confirm with a code, then see the
 * recovery codes once. Used when the clinic requires it at sign-in, and from "My account".
 */
export function MfaEnrol({ required, onDone }: { required: boolean; onDone: () => void }) {
  const t = useT();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string; qr: string } | null>(null);
  const [startError, setStartError] = useState<unknown>(undefined);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setStartError(undefined);
    endpoints
      .startMfaEnrolment()
      .then(async (e) => {
        const qr = await QRCode.toDataURL(e.otpauthUri, { margin: 1, width: 220, errorCorrectionLevel: 'M' });
        if (live) setEnrolment({ ...e, qr });
      })
      .catch((e: unknown) => live && setStartError(e));
    return () => {
      live = false;
    };
  }, [attempt]);

  const confirm = useSubmit(async () => {
    const result = await endpoints.confirmMfaEnrolment(code.replace(/\s/g, ''));
    setRecoveryCodes(result.recoveryCodes);
  });

  if (recoveryCodes) {
    return (
      <div className="auth-card">
        <PageTitle title={t('enrol.codesTitle')}>{t('enrol.codesTitle')}</PageTitle>
        <p>{t('enrol.codesIntro')}</p>
        <ul className="recovery-codes" aria-label={t('enrol.codesTitle')}>
          {recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" className="primary" onClick={onDone}>
          {t('enrol.codesSaved')}
        </button>
      </div>
    );
  }

  return (
    <div className="auth-card">
      <PageTitle title={t('enrol.title')}>{t('enrol.title')}</PageTitle>
      <p>{required ? t('enrol.requiredIntro') : t('enrol.intro')}</p>
      {startError ? (
        <ErrorState error={startError} onRetry={() => setAttempt((n) => n + 1)} />
      ) : !enrolment ? (
        <Loading />
      ) : (
        <>
          <ol className="steps">
            <li>
              <p>{t('enrol.scan')}</p>
              <img src={enrolment.qr} width={220} height={220} alt={t('enrol.qrAlt')} className="qr" />
              <p>
                {t('enrol.manual')} <code className="secret" data-testid="mfa-secret">{enrolment.secret}</code>
              </p>
            </li>
            <li>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void confirm.run();
                }}
                noValidate
              >
                <FormMessage error={formError(confirm.error, ['code'])} />
                <TextField label={t('enrol.enterCode')} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value)} error={fieldError(confirm.error, 'code')} />
                <button type="submit" className="primary" disabled={confirm.pending}>
                  {t('enrol.confirm')}
                </button>
              </form>
            </li>
          </ol>
        </>
      )}
    </div>
  );
}
