import { generateSecret, generateURI, verify, generate } from 'otplib';
import { randomBytes } from 'node:crypto';

/** A fresh base32 TOTP seed (RFC 6238, SHA-1, 6 digits, 30 s: what authenticator apps expect). */
export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, account: string, issuer = 'Rapport'): string {
  return generateURI({ secret, label: account, issuer });
}

/**
 * Accepts the current code and one step either side, for clock drift. Returns the 30-second time
 * step the code belongs to (callers record it so the same code cannot be used twice), or null.
 */
export async function verifyTotp(secret: string, token: string, now: Date): Promise<number | null> {
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({ secret, token, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30 });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** The code an authenticator would show at `now` (tests and the demo use it). */
export function currentTotp(secret: string, now: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
}

/** Ten single-use recovery codes, 80 bits each, shown once as `xxxxx-xxxxx`. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const s = randomBytes(10).toString('hex');
    return `${s.slice(0, 10)}-${s.slice(10)}`;
  });
}
