/**
 * Interface text of the client pages, in every language Rapport's client pages speak. Item text
 * comes from the instrument definitions, never from here.
 */
export const interfaceLanguages = ['en', 'fr'] as const;
export type InterfaceLanguage = (typeof interfaceLanguages)[number];

const en = {
  openTitle: 'Your check-in',
  openLead: 'Your clinic has asked you to answer a short questionnaire. It takes a few minutes.',
  openButton: 'Start',
  invalidTitle: 'This link does not work any more',
  invalidLead:
    'The link may have expired, been used already, or been copied incompletely. Nothing is wrong on your side.',
  invalidAsk: 'If you still need to answer, please contact your clinic and ask for a new link.',
  formLead: 'Your answers are saved as you go. You can close this page and come back with the same link.',
  progress: (answered: number | string, total: number | string) => `${answered} of ${total} answered`,
  saved: 'Saved',
  saving: 'Saving…',
  notSaved: 'Not saved yet',
  offline: 'You are offline. Your answers are kept on this page and will be saved when the connection returns.',
  submit: 'Send my answers',
  submitting: 'Sending…',
  submitFailed: 'Your answers could not be sent yet. Check your connection and press the button again.',
  sliderHint: (min: number, max: number) => `Enter a number from ${min} to ${max}.`,
  notWatchedTitle: 'In an emergency',
  notWatched:
    'Your answers are not watched around the clock. If you are in danger or might act on thoughts of harming yourself, call your local emergency number now or go to the nearest emergency department.',
  doneTitle: 'Thank you',
  doneLead: 'Your answers are saved and your clinician will see them.',
  crisisTitle: 'Help is available now',
  crisisLead: 'Some of your answers suggest you may be going through a very hard time. You do not have to wait for your next appointment.',
  crisisDefault:
    'If you are in danger or might act on thoughts of harming yourself, call your local emergency number now (999 or 112 in the UK and Europe, 911 in North America) or go to the nearest emergency department.',
  handBack: 'Please hand the device back.',
  kioskDone: 'You can leave this screen now.',
  stopLink: 'Stop these check-ins',
  stopTitle: 'Stop check-ins',
  stopLead:
    'If you stop, your clinic will not send you any more questionnaires by email or text message, and your clinician will be told. You can ask your clinic to start them again at any time.',
  stopButton: 'Stop check-ins',
  stoppedTitle: 'Check-ins stopped',
  stoppedLead: 'You will not receive any more questionnaires by email or text message. Your clinician has been told.',
  errorAnswer: 'Please choose one of the answers for this question.',
  kioskTitle: 'Enter your code',
  kioskLead: 'Your clinician gave you a 6-digit code.',
  kioskCodeLabel: 'Code',
  kioskButton: 'Continue',
  kioskWrong: 'That code did not work. Check the digits and try again, or ask the reception desk.',
  kioskUnavailableTitle: 'This device is not ready',
  kioskUnavailable: 'This device is not set up for check-ins, or it has been locked. Please ask the clinic staff.',
  kioskSetupTitle: 'Set up this device',
  kioskSetupLead: 'Paste the device token that was shown when the device was registered.',
  kioskSetupLabel: 'Device token',
  kioskSetupButton: 'Set up',
  kioskSetupDone: 'This device is set up. It now shows the code-entry screen.',
  skip: 'Skip to the questions',
  question: 'Question',
} as const;

type Text = { [K in keyof typeof en]: (typeof en)[K] extends (...args: infer A) => string ? (...args: A) => string : string };

const fr: Text = {
  openTitle: 'Votre suivi',
  openLead: 'Votre clinique vous demande de répondre à un court questionnaire. Cela prend quelques minutes.',
  openButton: 'Commencer',
  invalidTitle: 'Ce lien ne fonctionne plus',
  invalidLead: 'Le lien a peut-être expiré, déjà été utilisé ou été copié de façon incomplète. Vous n’avez rien fait de mal.',
  invalidAsk: 'Si vous devez encore répondre, contactez votre clinique et demandez un nouveau lien.',
  formLead: 'Vos réponses sont enregistrées au fur et à mesure. Vous pouvez fermer cette page et revenir avec le même lien.',
  progress: (answered: number | string, total: number | string) => `${answered} sur ${total} répondues`,
  saved: 'Enregistrée',
  saving: 'Enregistrement…',
  notSaved: 'Pas encore enregistrée',
  offline: 'Vous êtes hors ligne. Vos réponses restent sur cette page et seront enregistrées au retour de la connexion.',
  submit: 'Envoyer mes réponses',
  submitting: 'Envoi…',
  submitFailed: 'Vos réponses n’ont pas encore pu être envoyées. Vérifiez votre connexion et appuyez de nouveau sur le bouton.',
  sliderHint: (min: number, max: number) => `Saisissez un nombre de ${min} à ${max}.`,
  notWatchedTitle: 'En cas d’urgence',
  notWatched:
    'Vos réponses ne sont pas surveillées en permanence. Si vous êtes en danger ou risquez de passer à l’acte, appelez tout de suite le numéro d’urgence local ou rendez-vous aux urgences les plus proches.',
  doneTitle: 'Merci',
  doneLead: 'Vos réponses sont enregistrées et votre clinicien(ne) les verra.',
  crisisTitle: 'De l’aide est disponible maintenant',
  crisisLead: 'Certaines de vos réponses laissent penser que vous traversez un moment très difficile. Vous n’avez pas à attendre votre prochain rendez-vous.',
  crisisDefault:
    'Si vous êtes en danger ou risquez de passer à l’acte, appelez tout de suite le numéro d’urgence local (112 en Europe, 15 ou 3114 en France, 911 en Amérique du Nord) ou rendez-vous aux urgences les plus proches.',
  handBack: 'Merci de rendre l’appareil.',
  kioskDone: 'Vous pouvez quitter cet écran.',
  stopLink: 'Arrêter ces suivis',
  stopTitle: 'Arrêter les suivis',
  stopLead:
    'Si vous arrêtez, votre clinique ne vous enverra plus de questionnaires par courriel ou par SMS, et votre clinicien(ne) en sera informé(e). Vous pouvez demander à votre clinique de les reprendre à tout moment.',
  stopButton: 'Arrêter les suivis',
  stoppedTitle: 'Suivis arrêtés',
  stoppedLead: 'Vous ne recevrez plus de questionnaires par courriel ou par SMS. Votre clinicien(ne) en a été informé(e).',
  errorAnswer: 'Veuillez choisir une des réponses à cette question.',
  kioskTitle: 'Saisissez votre code',
  kioskLead: 'Votre clinicien(ne) vous a donné un code à 6 chiffres.',
  kioskCodeLabel: 'Code',
  kioskButton: 'Continuer',
  kioskWrong: 'Ce code ne fonctionne pas. Vérifiez les chiffres et réessayez, ou adressez-vous à l’accueil.',
  kioskUnavailableTitle: 'Cet appareil n’est pas prêt',
  kioskUnavailable: 'Cet appareil n’est pas configuré pour les suivis, ou il a été verrouillé. Adressez-vous au personnel de la clinique.',
  kioskSetupTitle: 'Configurer cet appareil',
  kioskSetupLead: 'Collez le jeton affiché lors de l’enregistrement de l’appareil.',
  kioskSetupLabel: 'Jeton de l’appareil',
  kioskSetupButton: 'Configurer',
  kioskSetupDone: 'Cet appareil est configuré. Il affiche maintenant l’écran de saisie du code.',
  skip: 'Aller aux questions',
  question: 'Question',
};

export type InterfaceText = Text;

const texts: Record<InterfaceLanguage, Text> = { en, fr };

/** The interface text in `language`, English when Rapport does not speak it. */
export function textFor(language: string | null | undefined): { lang: InterfaceLanguage; t: Text } {
  const lang = pickLanguage(language);
  return { lang, t: texts[lang] };
}

export function pickLanguage(language: string | null | undefined): InterfaceLanguage {
  const base = (language ?? '').toLowerCase().split(/[-_]/)[0];
  return (interfaceLanguages as readonly string[]).includes(base ?? '') ? (base as InterfaceLanguage) : 'en';
}

/** The first supported language of an `Accept-Language` header (pages shown before anyone is known). */
export function languageFromHeader(header: string | undefined): InterfaceLanguage {
  for (const part of (header ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim();
    const base = tag?.toLowerCase().split('-')[0];
    if (base && (interfaceLanguages as readonly string[]).includes(base)) return base as InterfaceLanguage;
  }
  return 'en';
}
