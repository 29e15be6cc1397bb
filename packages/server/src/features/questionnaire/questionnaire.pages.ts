import type { LocalisedInstrument } from '@rapport/instruments';
import { appCss, appJs } from './questionnaire.assets';
import { textFor, type InterfaceLanguage, type InterfaceText } from './questionnaire.text';
import type { Answers } from './questionnaire.queries';
import type { LinkVia } from './link-session';

/** Escapes text for HTML element content and double-quoted attributes. Every value goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = escapeHtml;

export type Branding = { orgName: string | null; colour: string | null };

/** The page shell: no inline script or style (CSP), the clinic's name and colour, one script deferred. */
export function layout(input: { lang: InterfaceLanguage; title: string; branding?: Branding; body: string; skipTo?: { href: string; label: string } }): string {
  const { lang, title, branding, body, skipTo } = input;
  const theme = branding?.colour ? `<link rel="stylesheet" href="/q/theme.css?c=${encodeURIComponent(branding.colour.replace('#', ''))}">` : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${e(title)}${branding?.orgName ? ` – ${e(branding.orgName)}` : ''}</title>
<link rel="stylesheet" href="/q/app.css?v=${appCss.version}">${theme}
<script src="/q/app.js?v=${appJs.version}" defer></script>
</head>
<body>
${skipTo ? `<a class="skip" href="${e(skipTo.href)}">${e(skipTo.label)}</a>` : ''}
<header class="brand"><p>${e(branding?.orgName ?? 'Rapport')}</p></header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

/** `GET /q/<token>`: one button that posts the token (the script presses it). Nothing is spent on a GET. */
export function openPage(input: { lang: InterfaceLanguage; token: string; branding: Branding }): string {
  const { t } = textFor(input.lang);
  return layout({
    lang: input.lang,
    title: t.openTitle,
    branding: input.branding,
    body: `<h1>${e(t.openTitle)}</h1>
<p>${e(t.openLead)}</p>
<form method="post" action="/q/open" data-autosubmit>
<input type="hidden" name="token" value="${e(input.token)}">
<button type="submit">${e(t.openButton)}</button>
</form>`,
  });
}

/**
 * The one page for an unknown, tampered, expired, used or cancelled link: no clinic, no health
 * information, the same bytes whatever the reason.
 */
export function invalidLinkPage(lang: InterfaceLanguage): string {
  const { t } = textFor(lang);
  return layout({
    lang,
    title: t.invalidTitle,
    body: `<h1>${e(t.invalidTitle)}</h1>
<p>${e(t.invalidLead)}</p>
<p>${e(t.invalidAsk)}</p>`,
  });
}

/** A short page with a heading and paragraphs (errors, confirmations). */
export function messagePage(input: { lang: InterfaceLanguage; title: string; paragraphs: string[]; branding?: Branding }): string {
  return layout({
    lang: input.lang,
    title: input.title,
    branding: input.branding,
    body: `<h1>${e(input.title)}</h1>\n${input.paragraphs.map((p) => `<p>${e(p)}</p>`).join('\n')}`,
  });
}

function emergencyNotice(t: InterfaceText): string {
  return `<aside class="notice" aria-labelledby="notice-title"><h2 id="notice-title">${e(t.notWatchedTitle)}</h2><p>${e(t.notWatched)}</p></aside>`;
}

type FormInput = {
  lang: InterfaceLanguage;
  branding: Branding;
  instruments: LocalisedInstrument[];
  /** Saved answers by instrument. */
  saved: Record<string, Answers>;
  submissionId: string;
  hasRiskItem: boolean;
  via: LinkVia;
};

function itemField(t: InterfaceText, instrumentId: string, item: LocalisedInstrument['items'][number], number: number, saved: Answers): string {
  const key = `${instrumentId}.${item.id}`;
  const id = `i-${instrumentId}-${item.id}`;
  const value = saved[item.id];
  const has = value !== undefined && value !== null;
  let control: string;
  if (item.response.kind === 'options') {
    control = item.response.options
      .map((o, i) => {
        const oid = `${id}-${i}`;
        return `<div class="opt"><input type="radio" id="${oid}" name="${e(key)}" value="${o.value}"${has && value === o.value ? ' checked' : ''}><label for="${oid}">${e(o.label)}</label></div>`;
      })
      .join('');
  } else {
    const r = item.response;
    const hint = [r.minLabel && `${r.min} = ${r.minLabel}`, r.maxLabel && `${r.max} = ${r.maxLabel}`, t.sliderHint(r.min, r.max)].filter(Boolean).join('. ');
    control = `<label for="${id}">${e(hint)}</label><input type="number" id="${id}" name="${e(key)}" min="${r.min}" max="${r.max}" step="${r.step}" inputmode="decimal"${has ? ` value="${value}"` : ''}>`;
  }
  return `<fieldset class="item" data-key="${e(key)}" data-instrument="${e(instrumentId)}" data-item="${e(item.id)}"${item.required ? ' data-required' : ''}>
<legend><span class="visually-number">${number}.</span> ${e(item.text)}</legend>
${control}
<p class="mark" aria-live="polite"${has ? ' data-state="saved"' : ''}>${has ? e(t.saved) : ''}</p>
</fieldset>`;
}

/** `GET /q`: every instrument of the assignment as one plain HTML form that works without script. */
export function formPage(input: FormInput): string {
  const { t } = textFor(input.lang);
  let total = 0;
  let answered = 0;
  for (const instrument of input.instruments) {
    for (const item of instrument.items) {
      if (!item.required) continue;
      total++;
      const v = input.saved[instrument.id]?.[item.id];
      if (v !== undefined && v !== null) answered++;
    }
  }
  const sections = input.instruments
    .map((instrument) => {
      const saved = input.saved[instrument.id] ?? {};
      const items = instrument.items.map((item, i) => itemField(t, instrument.id, item, i + 1, saved)).join('\n');
      return `<section aria-labelledby="h-${e(instrument.id)}">
<h2 id="h-${e(instrument.id)}">${e(instrument.title)}</h2>
${instrument.warning ? `<p class="warning">${e(instrument.warning)}</p>` : ''}
${instrument.instructions ? `<p>${e(instrument.instructions)}</p>` : ''}
${instrument.stem ? `<p class="stem">${e(instrument.stem)}</p>` : ''}
${items}
${instrument.attribution ? `<p class="attribution">${e(instrument.attribution)}</p>` : ''}
</section>`;
    })
    .join('\n');
  const data = [
    ['autosave', '/q/answers'],
    ['t-saved', t.saved],
    ['t-saving', t.saving],
    ['t-unsaved', t.notSaved],
    ['t-progress', t.progress('{n}', '{total}')],
    ['t-submitting', t.submitting],
    ['t-failed', t.submitFailed],
    ['t-invalid', t.errorAnswer],
  ]
    .map(([k, v]) => `data-${k}="${e(v)}"`)
    .join(' ');
  return layout({
    lang: input.lang,
    title: t.openTitle,
    branding: input.branding,
    skipTo: { href: '#questions', label: t.skip },
    body: `<h1>${e(t.openTitle)}</h1>
<p>${e(t.formLead)}</p>
${input.hasRiskItem ? emergencyNotice(t) : ''}
<p id="progress" class="progress" aria-live="polite">${e(t.progress(answered, total))}</p>
<p id="net" class="net" role="status" hidden>${e(t.offline)}</p>
<form id="questions" method="post" action="/q/submit" ${data}>
<input type="hidden" name="submissionId" value="${e(input.submissionId)}">
${sections}
<button type="submit">${e(t.submit)}</button>
<p id="submit-status" role="status" aria-live="polite"></p>
</form>
${input.via === 'link' ? `<p class="stop"><a href="/q/stop">${e(t.stopLink)}</a></p>` : ''}`,
  });
}

/** After submitting: saved, and the crisis resources when a risk item was endorsed or left unanswered. */
export function donePage(input: { lang: InterfaceLanguage; branding: Branding; riskFlagged: boolean; crisisResources: string | null; via: LinkVia }): string {
  const { t } = textFor(input.lang);
  const crisis = input.riskFlagged
    ? `<section class="crisis" aria-labelledby="crisis-title">
<h2 id="crisis-title">${e(t.crisisTitle)}</h2>
<p>${e(t.crisisLead)}</p>
<p class="resources">${e(input.crisisResources?.trim() || t.crisisDefault)}</p>
</section>`
    : '';
  const end = input.via === 'in_session' ? `<p><strong>${e(t.handBack)}</strong></p>` : input.via === 'kiosk' ? `<p>${e(t.kioskDone)}</p>\n<p><a href="/kiosk">${e(t.kioskTitle)}</a></p>` : '';
  return layout({
    lang: input.lang,
    title: t.doneTitle,
    branding: input.branding,
    body: `<h1>${e(t.doneTitle)}</h1>
<p>${e(t.doneLead)}</p>
${crisis}
${end}`,
  });
}

/** The opt-out confirmation: a form that posts to `action` (a link token route or the session route). */
export function stopPage(input: { lang: InterfaceLanguage; branding: Branding; action: string }): string {
  const { t } = textFor(input.lang);
  return layout({
    lang: input.lang,
    title: t.stopTitle,
    branding: input.branding,
    body: `<h1>${e(t.stopTitle)}</h1>
<p>${e(t.stopLead)}</p>
<form method="post" action="${e(input.action)}"><button type="submit">${e(t.stopButton)}</button></form>`,
  });
}
