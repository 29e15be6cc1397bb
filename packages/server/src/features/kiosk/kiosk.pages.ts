import { escapeHtml as e, layout } from '../questionnaire/questionnaire.pages';
import { textFor, type InterfaceLanguage } from '../questionnaire/questionnaire.text';

/** The waiting-room screen: one 6-digit code field. */
export function codePage(lang: InterfaceLanguage, error: string | null = null): string {
  const { t } = textFor(lang);
  return layout({
    lang,
    title: t.kioskTitle,
    body: `<h1>${e(t.kioskTitle)}</h1>
<p id="code-help">${e(t.kioskLead)}</p>
${error ? `<p class="error" id="code-error" role="alert">${e(error)}</p>` : ''}
<form method="post" action="/kiosk/code" autocomplete="off">
<label for="code">${e(t.kioskCodeLabel)}</label>
<input class="code" id="code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*" maxlength="7" autocomplete="one-time-code" required aria-describedby="code-help${error ? ' code-error' : ''}"${error ? ' aria-invalid="true"' : ''}>
<p><button type="submit">${e(t.kioskButton)}</button></p>
</form>`,
  });
}

/** `/kiosk/setup#token=…`: the script posts the fragment's token; without script it can be pasted. */
export function setupPage(lang: InterfaceLanguage): string {
  const { t } = textFor(lang);
  return layout({
    lang,
    title: t.kioskSetupTitle,
    body: `<h1>${e(t.kioskSetupTitle)}</h1>
<p>${e(t.kioskSetupLead)}</p>
<form method="post" action="/kiosk/setup" data-kiosk-setup autocomplete="off">
<label for="token">${e(t.kioskSetupLabel)}</label>
<input id="token" name="token" type="text" required>
<p><button type="submit">${e(t.kioskSetupButton)}</button></p>
</form>`,
  });
}

export function setupDonePage(lang: InterfaceLanguage): string {
  const { t } = textFor(lang);
  return layout({ lang, title: t.kioskSetupTitle, body: `<h1>${e(t.kioskSetupTitle)}</h1>\n<p>${e(t.kioskSetupDone)}</p>\n<p><a href="/kiosk">${e(t.kioskTitle)}</a></p>` });
}
