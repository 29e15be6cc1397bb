import { endpoints } from '../../api/endpoints';
import { ApiError } from '../../api/client';
import { useT } from '../../i18n/i18n';
import { Async, useAsync } from '../../ui/ui';
import type { ClientPanelProps } from './panels';

/** Dropout risk (issue 5 §2): a transparent points score, every contributing factor with its points. */
export function DropoutPanel({ client }: ClientPanelProps) {
  const t = useT();
  const state = useAsync(
    () =>
      endpoints.dropoutRisk(client.id).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
    [client.id],
  );
  return (
    <Async state={state} isEmpty={(d) => d === null} empty={t('dropout.empty')}>
      {(d) => (
        <>
          <p>
            <strong>{t(`dropout.level.${d!.level}`)}</strong> · {t('dropout.points', { score: d!.score })}
          </p>
          {d!.contributions.length > 0 ? (
            <ul>
              {d!.contributions.map((c) => (
                <li key={c.factor}>
                  {c.detail}: +{c.points}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('dropout.none')}</p>
          )}
          <p className="hint">{d!.note}</p>
        </>
      )}
    </Async>
  );
}
