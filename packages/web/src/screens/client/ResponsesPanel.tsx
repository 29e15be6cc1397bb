import { useEffect, useId, useRef, useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { formError, fieldError } from '../../api/client';
import type { ClientResponse, Localised, ResponseDiscussion, ResponseItem } from '../../api/types';
import { useMe } from '../../app/session';
import { useFormat, useI18n, useT } from '../../i18n/i18n';
import { Async, FormMessage, TextArea, useAsync, useSubmit } from '../../ui/ui';
import type { ClientPanelProps } from './panels';

/** Responses per page: a few weeks of weekly check-ins. */
export const RESPONSES_PAGE = 10;

/** The text in the user's language, else English, else any language given; null when there is none. */
export function pickText(text: Localised | null, locale: string): string | null {
  if (!text) return null;
  return text[locale] ?? text.en ?? Object.values(text)[0] ?? null;
}

/**
 * The client's completed questionnaires, newest first (issue 6): each opens to its answers item by
 * item, risk items marked in words and not by colour alone, and can be marked as discussed with the
 * client. Blind rating is the server's business: a response the clinician may not see yet is not in
 * the list at all.
 */
export function ResponsesPanel({ client }: ClientPanelProps) {
  const t = useT();
  const state = useAsync(() => endpoints.responses(client.id, { limit: RESPONSES_PAGE }), [client.id]);
  // After "Load more" focus moves to the first response loaded, so the keyboard does not fall back to the page top.
  const [focusId, setFocusId] = useState<string | null>(null);
  const more = useSubmit(async (cursor: string) => {
    const next = await endpoints.responses(client.id, { limit: RESPONSES_PAGE, cursor });
    const current = state.data?.items ?? [];
    const seen = new Set(current.map((r) => r.id));
    const added = next.items.filter((r) => !seen.has(r.id));
    state.setData({ items: [...current, ...added], nextCursor: next.nextCursor });
    setFocusId(added[0]?.id ?? null);
  });
  const replace = (updated: ClientResponse) => state.data && state.setData({ ...state.data, items: state.data.items.map((r) => (r.id === updated.id ? updated : r)) });
  return (
    <Async state={state} isEmpty={(d) => d.items.length === 0} empty={t('responses.empty')}>
      {(page) => (
        <>
          <ul className="response-list plain-list">
            {page.items.map((r) => (
              <ResponseEntry key={r.id} clientId={client.id} response={r} onChange={replace} focus={r.id === focusId} />
            ))}
          </ul>
          <FormMessage error={formError(more.error, [])} />
          {page.nextCursor && (
            <button type="button" disabled={more.pending} onClick={() => void more.run(page.nextCursor!)}>
              {t('responses.loadMore')}
            </button>
          )}
        </>
      )}
    </Async>
  );
}

function scoreText(r: ClientResponse, t: ReturnType<typeof useT>): string {
  const { total, band } = r.scores;
  if (total === null) return t('responses.noTotal');
  const shown = String(Math.round(total * 100) / 100);
  return band ? t('responses.totalBand', { total: shown, band: band.label }) : t('responses.total', { total: shown });
}

function ResponseEntry({ clientId, response: r, onChange, focus }: { clientId: string; response: ClientResponse; onChange: (r: ClientResponse) => void; focus: boolean }) {
  const t = useT();
  const fmt = useFormat();
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focus) button.current?.focus();
  }, [focus]);
  return (
    <li className="response-entry">
      <button type="button" ref={button} className="disclosure" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
        {/* One span: the button lays its children out as flex items, which would drop the spaces between them. */}
        <span>
          <span aria-hidden="true">{open ? '▾ ' : '▸ '}</span>
          <strong>{r.instrument.shortName}</strong> · {fmt.date(r.completedAt)} · {scoreText(r, t)}
          {r.respondent === 'clinician' && r.respondentName ? ` · ${t('responses.byClinician', { name: r.respondentName })}` : ''}
        </span>
      </button>
      {r.flags.riskEndorsed && (
        <span className="badge badge-urgent">
          <span aria-hidden="true">⚠ </span>
          {t('responses.riskEndorsed')}
        </span>
      )}
      {!r.flags.riskEndorsed && r.flags.riskUnanswered && (
        <span className="badge badge-urgent">
          <span aria-hidden="true">⚠ </span>
          {t('responses.riskUnanswered')}
        </span>
      )}
      {r.discussion && <span className="badge">{t('responses.discussedBadge')}</span>}
      <div id={detailsId} className="response-details" hidden={!open}>
        {open && <ResponseDetails clientId={clientId} response={r} onChange={onChange} />}
      </div>
    </li>
  );
}

function ResponseDetails({ clientId, response: r, onChange }: { clientId: string; response: ClientResponse; onChange: (r: ClientResponse) => void }) {
  const t = useT();
  const fmt = useFormat();
  const { locale } = useI18n();
  const worded = r.items.some((i) => i.text !== null);
  const subscales = r.scores.subscales.filter((s) => s.score !== null);
  return (
    <>
      <p className="muted">
        {[
          r.appointment ? t('responses.session', { date: fmt.dateTime(r.appointment.startsAt) }) : null,
          r.supersedesId ? t('responses.correction') : null,
          subscales.length ? t('responses.subscales', { list: subscales.map((s) => `${s.label} ${s.score}${s.band ? ` (${s.band.label})` : ''}`).join(', ') }) : null,
          r.scores.prorated ? t('responses.prorated') : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
      {!worded && <p className="notice">{t('responses.wordingLicensed')}</p>}
      <table className="data">
        <caption>{t('responses.itemsCaption', { name: r.instrument.shortName, date: fmt.date(r.completedAt) })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('responses.col.item')}</th>
            {worded && <th scope="col">{t('responses.col.question')}</th>}
            <th scope="col">{t('responses.col.answer')}</th>
            <th scope="col">{t('responses.col.risk')}</th>
          </tr>
        </thead>
        <tbody>
          {r.items.map((item) => (
            <tr key={item.itemId} className={item.risk ? 'row-flag' : undefined}>
              <th scope="row">{item.number}</th>
              {worded && <td>{pickText(item.text, locale) ?? t('responses.itemNumber', { n: item.number })}</td>}
              <td>
                {answerText(item, locale, t)}
                {!item.scored && <span className="muted"> ({t('responses.unscored')})</span>}
              </td>
              <td>{item.risk ? <RiskCell item={item} /> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Discussion clientId={clientId} response={r} onChange={onChange} />
    </>
  );
}

function answerText(item: ResponseItem, locale: string, t: ReturnType<typeof useT>): string {
  if (item.value === null) return t('responses.unanswered');
  const label = pickText(item.answerLabel, locale);
  return label && label !== String(item.value) ? `${item.value} — ${label}` : String(item.value);
}

function RiskCell({ item }: { item: ResponseItem }) {
  const t = useT();
  const state = item.endorsed ? t('responses.endorsed') : item.riskUnanswered ? t('responses.leftUnanswered') : t('responses.notEndorsed');
  return (
    <span className="risk-flag">
      <span aria-hidden="true">⚠ </span>
      {t('responses.riskItem')}: {item.endorsed ? <strong>{state}</strong> : state}
    </span>
  );
}

function Discussion({ clientId, response: r, onChange }: { clientId: string; response: ClientResponse; onChange: (r: ClientResponse) => void }) {
  const t = useT();
  const fmt = useFormat();
  const { me } = useMe();
  const [note, setNote] = useState('');
  const mark = useSubmit(async () => {
    const d = await endpoints.markDiscussed(clientId, r.id, note.trim() ? { note: note.trim() } : {});
    const discussion: ResponseDiscussion = { discussedBy: d.discussedBy, discussedByName: d.discussedBy === me.user.id ? me.user.displayName : null, discussedAt: d.discussedAt, note: d.note };
    onChange({ ...r, discussion });
  });
  if (r.discussion) {
    return (
      <p className="discussed" role="status">
        {t('responses.discussedOn', { date: fmt.dateTime(r.discussion.discussedAt), name: r.discussion.discussedByName ?? t('responses.colleague') })}
        {r.discussion.note ? <span className="muted"> {r.discussion.note}</span> : null}
      </p>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void mark.run();
      }}
      noValidate
    >
      <FormMessage error={formError(mark.error, ['note'])} />
      <TextArea label={t('responses.note')} hint={t('responses.noteHint')} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={2} error={fieldError(mark.error, 'note')} />
      <button type="submit" disabled={mark.pending}>
        {t('responses.markDiscussed')}
      </button>
    </form>
  );
}
