import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { endpoints } from '../../api/endpoints';
import { formError } from '../../api/client';
import type { InstrumentDetail, PendingRating } from '../../api/types';
import { navigate } from '../../app/router';
import { useFormat, useI18n, useT } from '../../i18n/i18n';
import { Async, FormMessage, PageTitle, useAsync, useSubmit } from '../../ui/ui';

/**
 * Rate this session (issue 5 §1, issue 6 §5): the therapist form on one screen, keyboard first.
 * Each item is a native radio group; on a focused group a digit key picks that value (on a 0–10
 * scale "1" then "0" within a second picks 10) and focus moves to the next item; Enter submits. For
 * our four-item alliance check that is 4 digits + Enter = 5 key presses (the bar is 8).
 */
export function RateSession({ clientId, assignmentId }: { clientId: string; assignmentId: string }) {
  const t = useT();
  const state = useAsync(async () => {
    const pending = (await endpoints.pendingRatings(clientId)).items.find((p) => p.assignmentId === assignmentId) ?? null;
    const instruments = pending ? await Promise.all(pending.instrumentIds.map((id) => endpoints.instrument(id))) : [];
    return { pending, instruments };
  }, [clientId, assignmentId]);
  return (
    <article>
      <PageTitle title={t('rate.title')}>{t('rate.title')}</PageTitle>
      <Async state={state} isEmpty={(d) => d.pending === null} empty={t('rate.notPending')}>
        {(d) => <RatingForm clientId={clientId} pending={d.pending!} instruments={d.instruments} />}
      </Async>
    </article>
  );
}

function RatingForm({ clientId, pending, instruments }: { clientId: string; pending: PendingRating; instruments: InstrumentDetail[] }) {
  const t = useT();
  const fmt = useFormat();
  const { locale } = useI18n();
  const items = instruments.flatMap((ins) => ins.definition.items.filter((i) => i.response.kind === 'options').map((item) => ({ instrumentId: ins.id, item })));
  const [answers, setAnswers] = useState<Record<string, number>>({});
  const [missing, setMissing] = useState(false);
  const [submissionId] = useState(() => crypto.randomUUID());
  const groups = useRef<(HTMLFieldSetElement | null)[]>([]);
  const typed = useRef<{ index: number; text: string; at: number } | null>(null);
  const back = () => navigate(`/clients/${clientId}`);
  const submit = useSubmit(async () => {
    const body: Record<string, Record<string, number | null>> = {};
    for (const { instrumentId, item } of items) (body[instrumentId] ??= {})[item.id] = answers[item.id] ?? null;
    await endpoints.rate(clientId, pending.assignmentId, { submissionId, answers: body });
    back();
  });
  const skip = useSubmit(async () => {
    await endpoints.skipRating(clientId, pending.assignmentId);
    back();
  });
  useEffect(() => {
    focusGroup(0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const text = (l: Record<string, string>) => l[locale] ?? l.en ?? Object.values(l)[0] ?? '';

  function focusGroup(index: number) {
    const group = groups.current[index];
    if (!group) {
      document.getElementById('rate-submit')?.focus();
      return;
    }
    (group.querySelector<HTMLInputElement>('input:checked') ?? group.querySelector<HTMLInputElement>('input'))?.focus();
  }

  function choose(index: number, value: number) {
    const { item } = items[index]!;
    setAnswers((a) => ({ ...a, [item.id]: value }));
    setMissing(false);
  }

  function onKey(index: number, e: KeyboardEvent<HTMLFieldSetElement>) {
    if (!/^[0-9]$/.test(e.key)) return;
    e.preventDefault();
    const values = (items[index]!.item.response.options ?? []).map((o) => o.value);
    const now = Date.now();
    const prev = typed.current;
    const combined = prev && prev.index === index && now - prev.at < 1000 ? prev.text + e.key : e.key;
    const value = Number(combined);
    if (!values.includes(value)) return;
    choose(index, value);
    const canGrow = values.some((v) => v > value && String(v).startsWith(combined));
    typed.current = { index, text: combined, at: now };
    // "1" on a 0–10 scale might become "10": wait for the next digit unless nothing could follow.
    if (!canGrow) {
      typed.current = null;
      requestAnimationFrame(() => focusGroup(index + 1));
    } else {
      const check = combined;
      setTimeout(() => {
        if (typed.current?.text === check && typed.current.index === index) {
          typed.current = null;
          focusGroup(index + 1);
        }
      }, 1000);
    }
  }

  return (
    <form
      className="rate-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (items.some(({ item }) => item.required !== false && answers[item.id] === undefined)) return setMissing(true);
        void submit.run();
      }}
      noValidate
    >
      <p className="hint">
        {pending.appointmentStartsAt ? t('rate.sessionOf', { when: fmt.dateTime(pending.appointmentStartsAt) }) : ''} {t('rate.blindNote', { until: fmt.dateTime(pending.blindUntil) })}
      </p>
      <p className="hint" id="rate-keys">
        {t('rate.keys')}
      </p>
      {instruments[0]?.definition.stem && <p>{text(instruments[0].definition.stem)}</p>}
      <FormMessage error={missing ? t('rate.missing') : formError(submit.error ?? skip.error, [])} />
      {items.map(({ item }, index) => (
        <fieldset key={item.id} ref={(el) => void (groups.current[index] = el)} className="scale" onKeyDown={(e) => onKey(index, e)} aria-describedby="rate-keys">
          <legend>
            {index + 1}. {text(item.text)}
          </legend>
          <div className="scale-options">
            {(item.response.options ?? []).map((o) => (
              <label key={o.value} className="scale-option">
                <input type="radio" name={item.id} value={o.value} checked={answers[item.id] === o.value} onChange={() => choose(index, o.value)} />
                <span>{text(o.label)}</span>
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      <div className="button-row">
        <button id="rate-submit" type="submit" className="primary" disabled={submit.pending}>
          {t('rate.submit')}
        </button>
        <button type="button" disabled={skip.pending} onClick={() => void skip.run()}>
          {t('rate.skip')}
        </button>
      </div>
    </form>
  );
}
