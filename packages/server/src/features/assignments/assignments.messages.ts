/**
 * The words of questionnaire messages, in English and French. They carry the clinic's name, the
 * link and a way to stop, nothing else: no instrument names, scores, diagnoses or the client's
 * name (issue 4: messages carry no health information).
 */

export type MessageKind = 'invite' | 'reminder';
export type ComposedMessage = { subject: string; text: string; sms: string };

type Words = {
  subject: (clinic: string, kind: MessageKind) => string;
  lead: (clinic: string, kind: MessageKind) => string;
  open: string;
  personal: string;
  stop: string;
  smsStop: string;
};

const words: Record<'en' | 'fr', Words> = {
  en: {
    subject: (clinic, kind) => (kind === 'invite' ? `${clinic}: a short check-in` : `${clinic}: a reminder`),
    lead: (clinic, kind) =>
      kind === 'invite'
        ? `${clinic} has sent you a short check-in. It takes a few minutes.`
        : `A reminder from ${clinic}: your short check-in is still waiting for you.`,
    open: 'Open it here:',
    personal: 'This link is personal to you: please do not forward it.',
    stop: 'To stop receiving these messages:',
    smsStop: 'Stop:',
  },
  fr: {
    subject: (clinic, kind) => (kind === 'invite' ? `${clinic} : un court point d’étape` : `${clinic} : un rappel`),
    lead: (clinic, kind) =>
      kind === 'invite'
        ? `${clinic} vous a envoyé un court point d’étape. Il ne prend que quelques minutes.`
        : `Un rappel de ${clinic} : votre court point d’étape vous attend toujours.`,
    open: 'Ouvrez-le ici :',
    personal: 'Ce lien vous est personnel : merci de ne pas le transférer.',
    stop: 'Pour ne plus recevoir ces messages :',
    smsStop: 'Arrêter :',
  },
};

/** The email (subject and text) and the SMS for one message, in the client's language (English otherwise). */
export function composeMessage(input: { kind: MessageKind; language: string; clinicName: string; link: string; stopLink: string }): ComposedMessage {
  const w = input.language === 'fr' ? words.fr : words.en;
  const text = [
    w.lead(input.clinicName, input.kind),
    '',
    `${w.open} ${input.link}`,
    '',
    w.personal,
    '',
    `${w.stop} ${input.stopLink}`,
    '',
  ].join('\n');
  const sms = `${w.lead(input.clinicName, input.kind)} ${input.link} ${w.smsStop} ${input.stopLink}`;
  return { subject: w.subject(input.clinicName, input.kind), text, sms };
}
