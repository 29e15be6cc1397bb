import type { Locale } from '../api/types';

/**
 * The server's errors in the user's language. The server answers `{ error: { code, message, field } }`
 * with an English `message`; the `code` is the stable part of the contract. Here each stable code
 * (and each fixed sentence the generic codes carry, such as `validation_failed`'s "This field is
 * required.") has its text in every language. English shows the server's own sentence (it is the
 * source text, often more specific); another language shows the text for the exact sentence, else
 * for the code, else the server's message when the code is unknown here.
 *
 * Used in one place: `toApiError` in `src/api/client.ts`, so every screen that shows
 * `error.message` (or `fieldError`) gets the translated text without doing anything.
 */
const englishCodeText = {
  // Made by the web app itself when no usable answer came back.
  network_error: 'The server could not be reached. Check your connection and try again.',
  server_error: 'Something went wrong on the server. Please try again.',
  refused: 'The request was refused.',
  // Generic codes: the English sentence from the server is shown instead.
  validation_failed: 'This value is not valid.',
  bad_request: 'The request is not valid.',
  conflict: 'This cannot be done in the current state.',
  not_found: 'Not found: it does not exist or you cannot see it.',
  unauthorized: 'Please sign in.',
  forbidden: 'You are not allowed to do that.',
  too_many_requests: 'Too many requests. Please wait a moment and try again.',
  internal: 'Something went wrong on our side. It has been logged.',
  body_too_large: 'The request body is too large.',
  import_too_large: 'The file is larger than the import limit. Split it into smaller files.',
  import_bad_csv: 'The file is not valid CSV. Check the quoting of its rows.',
  mail_failed: 'The email could not be sent. Try again in a moment.',
  database_unavailable: 'The database cannot be reached.',
  // Sign-in and accounts
  invalid_credentials: 'That email and password do not match.',
  account_locked: 'Too many failed attempts. Wait a little and try again, or reset your password.',
  invalid_token: 'This link has expired or was already used. Ask for a new one.',
  no_mfa_pending: 'There is no sign-in waiting for a code.',
  invalid_code: 'That code is not right. Check the time on your phone and try the newest code.',
  wrong_code: 'That code did not work.',
  mfa_required: 'Enter the code from your authenticator app to finish signing in.',
  mfa_enrolment_required: 'Set up two-step sign-in to continue.',
  mfa_already_enabled: 'Two-step sign-in is already set up. An administrator can reset it.',
  mfa_not_started: 'Start setting up two-step sign-in first.',
  // Staff and organisation
  last_admin: 'A clinic needs at least one active admin. Make someone else an admin first.',
  on_call_supervisor: 'This person is the on-call supervisor. Choose another on-call supervisor first.',
  cannot_deactivate_self: 'You cannot deactivate yourself. Ask another admin.',
  already_deactivated: 'This person is already deactivated.',
  not_deactivated: 'This person is not deactivated.',
  already_member: 'This person already belongs to this clinic; reactivate them if they were deactivated.',
  not_active: 'Only an active member can be sent a password reset; invite or reactivate them first.',
  not_joined: 'This person has not accepted their invitation to this clinic yet.',
  alert_mobile_required: 'Enter your mobile number to be texted about urgent items.',
  programme_name_taken: 'Another programme already has this name.',
  unknown_programme: 'No such programme.',
  // Records
  episode_open: 'This client already has an open episode of care. Close it before starting another.',
  episode_closed: 'This episode is already closed.',
  unknown_episode: 'No such episode for this client.',
  unknown_appointment: 'No such appointment for this client.',
  appointment_not_scheduled: 'Only a scheduled appointment can be moved.',
  appointment_in_future: 'This appointment has not started yet, so it cannot be marked as attended or missed.',
  confirmation_mismatch: "The confirmation does not match this client's id.",
  invalid_character: 'Text may not contain the NUL character.',
  // Questionnaires, protocols, instruments
  not_scheduled: 'Only a scheduled questionnaire can be moved or sent now.',
  not_resendable: 'Only a questionnaire that was sent and is not finished can be sent again.',
  not_cancellable: 'This questionnaire can no longer be cancelled.',
  answered_in_session: 'This questionnaire is answered in session, not sent.',
  questionnaire_closed: 'This questionnaire is completed, cancelled or expired.',
  questionnaire_expired: 'This questionnaire has expired.',
  already_submitted: 'These answers were already sent.',
  protocol_exists: 'This scope already has a protocol: edit or archive it first.',
  protocol_archived: 'This protocol is archived.',
  duplicate_rule_id: 'Each rule needs its own id.',
  duplicate_instrument: 'This instrument is listed twice in this rule.',
  respondent_mismatch: 'These instruments are not answered by the same person.',
  unknown_instrument: 'Unknown instrument.',
  invalid_answer: 'This answer is not valid.',
  invalid_definition: 'This instrument definition is not valid.',
  invalid_content_pack: 'This content pack is not valid.',
  instrument_id_taken: 'A built-in instrument already has this id; choose another.',
  // Alerts and ratings
  alert_resolved: 'This alert is already resolved.',
  already_rated: 'This session is already rated.',
  rating_skipped: 'This rating was skipped.',
  rating_closed: 'This rating is no longer open.',
  rating_expired: 'The time to rate this session has passed.',
  not_your_rating: 'Only the clinician asked for this rating can give or skip it.',
  own_caseload_only: 'A clinician may only see the outcome report of their own caseload.',
  // API tokens
  expiry_in_past: 'The expiry must be in the future.',
  expiry_too_far: 'A token may live at most one year.',
};

export type ErrorTextCode = keyof typeof englishCodeText;

/** Exactly the English codes (a missing or extra one is a type error). */
const frenchCodeText: Record<ErrorTextCode, string> = {
  network_error: 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.',
  server_error: 'Un problème est survenu sur le serveur. Veuillez réessayer.',
  refused: 'La demande a été refusée.',
  validation_failed: 'Cette valeur n’est pas valide.',
  bad_request: 'La demande n’est pas valide.',
  conflict: 'Ce n’est pas possible dans l’état actuel.',
  not_found: 'Introuvable : cet élément n’existe pas ou ne vous est pas accessible.',
  unauthorized: 'Veuillez vous connecter.',
  forbidden: 'Vous n’êtes pas autorisé à faire cela.',
  too_many_requests: 'Trop de demandes. Patientez un instant puis réessayez.',
  internal: 'Un problème est survenu de notre côté. Il a été consigné.',
  body_too_large: 'Le contenu envoyé est trop volumineux.',
  import_too_large: 'Le fichier dépasse la taille maximale d’une importation. Divisez-le en fichiers plus petits.',
  import_bad_csv: 'Le fichier n’est pas un CSV valide. Vérifiez les guillemets de ses lignes.',
  mail_failed: 'L’e-mail n’a pas pu être envoyé. Réessayez dans un instant.',
  database_unavailable: 'La base de données est injoignable.',
  invalid_credentials: 'Cette adresse e-mail et ce mot de passe ne correspondent pas.',
  account_locked: 'Trop de tentatives échouées. Patientez un peu puis réessayez, ou réinitialisez votre mot de passe.',
  invalid_token: 'Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.',
  no_mfa_pending: 'Aucune connexion n’attend de code.',
  invalid_code: 'Ce code n’est pas le bon. Vérifiez l’heure de votre téléphone et essayez le code le plus récent.',
  wrong_code: 'Ce code n’a pas fonctionné.',
  mfa_required: 'Saisissez le code de votre application d’authentification pour terminer la connexion.',
  mfa_enrolment_required: 'Configurez la connexion en deux étapes pour continuer.',
  mfa_already_enabled: 'La connexion en deux étapes est déjà configurée. Un administrateur peut la réinitialiser.',
  mfa_not_started: 'Commencez d’abord à configurer la connexion en deux étapes.',
  last_admin: 'Une clinique a besoin d’au moins un administrateur actif. Nommez d’abord quelqu’un d’autre administrateur.',
  on_call_supervisor: 'Cette personne est le superviseur d’astreinte. Choisissez d’abord un autre superviseur d’astreinte.',
  cannot_deactivate_self: 'Vous ne pouvez pas vous désactiver vous-même. Demandez à un autre administrateur.',
  already_deactivated: 'Cette personne est déjà désactivée.',
  not_deactivated: 'Cette personne n’est pas désactivée.',
  already_member: 'Cette personne fait déjà partie de la clinique ; réactivez-la si elle a été désactivée.',
  not_active: 'Seul un membre actif peut recevoir une réinitialisation du mot de passe ; invitez-le ou réactivez-le d’abord.',
  not_joined: 'Cette personne n’a pas encore accepté son invitation dans cette clinique.',
  alert_mobile_required: 'Saisissez votre numéro de mobile pour recevoir les éléments urgents par SMS.',
  programme_name_taken: 'Un autre programme porte déjà ce nom.',
  unknown_programme: 'Ce programme n’existe pas.',
  episode_open: 'Ce client a déjà un épisode de soins ouvert. Clôturez-le avant d’en commencer un autre.',
  episode_closed: 'Cet épisode est déjà clos.',
  unknown_episode: 'Cet épisode n’existe pas pour ce client.',
  unknown_appointment: 'Ce rendez-vous n’existe pas pour ce client.',
  appointment_not_scheduled: 'Seul un rendez-vous prévu peut être déplacé.',
  appointment_in_future: 'Ce rendez-vous n’a pas encore commencé : il ne peut pas être marqué honoré ou manqué.',
  confirmation_mismatch: 'La confirmation ne correspond pas à l’identifiant de ce client.',
  invalid_character: 'Le texte ne peut pas contenir le caractère NUL.',
  not_scheduled: 'Seul un questionnaire programmé peut être déplacé ou envoyé maintenant.',
  not_resendable: 'Seul un questionnaire envoyé et non terminé peut être renvoyé.',
  not_cancellable: 'Ce questionnaire ne peut plus être annulé.',
  answered_in_session: 'Ce questionnaire se remplit en séance, il n’est pas envoyé.',
  questionnaire_closed: 'Ce questionnaire est terminé, annulé ou expiré.',
  questionnaire_expired: 'Ce questionnaire a expiré.',
  already_submitted: 'Ces réponses ont déjà été envoyées.',
  protocol_exists: 'Ce périmètre a déjà un protocole : modifiez-le ou archivez-le d’abord.',
  protocol_archived: 'Ce protocole est archivé.',
  duplicate_rule_id: 'Chaque règle a besoin de son propre identifiant.',
  duplicate_instrument: 'Cet instrument figure deux fois dans cette règle.',
  respondent_mismatch: 'Ces instruments ne sont pas remplis par la même personne.',
  unknown_instrument: 'Instrument inconnu.',
  invalid_answer: 'Cette réponse n’est pas valide.',
  invalid_definition: 'Cette définition d’instrument n’est pas valide.',
  invalid_content_pack: 'Ce pack de contenu n’est pas valide.',
  instrument_id_taken: 'Un instrument intégré a déjà cet identifiant ; choisissez-en un autre.',
  alert_resolved: 'Cette alerte est déjà résolue.',
  already_rated: 'Cette séance est déjà évaluée.',
  rating_skipped: 'Cette évaluation a été passée.',
  rating_closed: 'Cette évaluation n’est plus ouverte.',
  rating_expired: 'Le délai pour évaluer cette séance est passé.',
  not_your_rating: 'Seul le clinicien à qui cette évaluation est demandée peut la donner ou la passer.',
  own_caseload_only: 'Un clinicien ne peut voir que le rapport de résultats de sa propre patientèle.',
  expiry_in_past: 'L’expiration doit être dans le futur.',
  expiry_too_far: 'Un jeton peut vivre au plus un an.',
};

const codeText: Record<Locale, Record<ErrorTextCode, string>> = { en: englishCodeText, fr: frenchCodeText };

/**
 * Fixed sentences the server sends under a generic code (`validation_failed`, `bad_request`), so a
 * French user reads "Ce champ est obligatoire." rather than the generic "Cette valeur n'est pas valide."
 */
const sentenceText: Record<string, Record<Exclude<Locale, 'en'>, string>> = {
  'This field is required.': { fr: 'Ce champ est obligatoire.' },
  'Enter a valid email address.': { fr: 'Saisissez une adresse e-mail valide.' },
  'Enter your password.': { fr: 'Saisissez votre mot de passe.' },
  'Enter the 6-digit code.': { fr: 'Saisissez le code à 6 chiffres.' },
  'Use at least 12 characters.': { fr: 'Utilisez au moins 12 caractères.' },
  'Use at most 200 characters.': { fr: 'Utilisez au plus 200 caractères.' },
  'Use a hex colour such as #2F6F8F.': { fr: 'Utilisez une couleur hexadécimale comme #2F6F8F.' },
  'Use 24-hour time, e.g. 08:30.': { fr: 'Utilisez l’heure sur 24 heures, par ex. 08:30.' },
  'Use 1 to 30 days.': { fr: 'Utilisez de 1 à 30 jours.' },
  'Unknown time zone: use a name such as Europe/London.': { fr: 'Fuseau horaire inconnu : utilisez un nom comme Europe/Paris.' },
  'The on-call supervisor must be an active supervisor or admin of this clinic.': { fr: 'Le superviseur d’astreinte doit être un superviseur ou un administrateur actif de cette clinique.' },
  'Enter the mobile number in international format, e.g. +44 7700 900123.': { fr: 'Saisissez le numéro de mobile au format international, par ex. +33 6 12 34 56 78.' },
  'The start date cannot be after the episode ended.': { fr: 'La date de début ne peut pas être après la fin de l’épisode.' },
  'The end date cannot be before the episode started.': { fr: 'La date de fin ne peut pas être avant le début de l’épisode.' },
  'The primary clinician must be an active staff member of this clinic.': { fr: 'Le clinicien référent doit être un membre actif de cette clinique.' },
  'The clinician must be an active staff member of this clinic.': { fr: 'Le clinicien doit être un membre actif de cette clinique.' },
  'Choose the primary clinician.': { fr: 'Choisissez le clinicien référent.' },
  'Choose the clinician for this appointment.': { fr: 'Choisissez le clinicien de ce rendez-vous.' },
  'Choose an open episode of this client.': { fr: 'Choisissez un épisode ouvert de ce client.' },
  'Choose a current programme of this clinic.': { fr: 'Choisissez un programme actuel de cette clinique.' },
  'Care-team members must be active staff of this clinic.': { fr: 'Les membres de l’équipe de soins doivent être des membres actifs de cette clinique.' },
  'Say who cancelled only when the appointment is cancelled.': { fr: 'Indiquez qui a annulé seulement quand le rendez-vous est annulé.' },
  'Choose at least one instrument.': { fr: 'Choisissez au moins un instrument.' },
  'A protocol needs at least one rule.': { fr: 'Un protocole a besoin d’au moins une règle.' },
};

/** The codes and sentences known here, for the test that checks the server still sends each of them. */
export const knownServerErrors = {
  codes: Object.keys(englishCodeText).filter((c) => !['network_error', 'server_error', 'refused'].includes(c)),
  sentences: Object.keys(sentenceText),
};

let currentLocale: Locale = 'en';

/** The language errors are put in from now on; the app's language provider keeps it current. */
export function setServerErrorLocale(locale: Locale): void {
  currentLocale = locale;
}

/** The text for a code made or known by the web app, in the current language. */
export function errorText(code: ErrorTextCode, locale: Locale = currentLocale): string {
  return codeText[locale][code];
}

/**
 * The message to show for a server error: English keeps the server's sentence; other languages get
 * the known sentence's translation, then the code's, then the server's message for an unknown code.
 */
export function localiseServerError(code: string, serverMessage: string, locale: Locale = currentLocale): string {
  if (locale === 'en') return serverMessage;
  const sentence = sentenceText[serverMessage]?.[locale];
  if (sentence) return sentence;
  return Object.hasOwn(codeText[locale], code) ? codeText[locale][code as ErrorTextCode] : serverMessage;
}
