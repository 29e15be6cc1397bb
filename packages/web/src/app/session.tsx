import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, onUnauthorised } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Me, Organisation, Role } from '../api/types';

export type Session =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'anonymous' }
  | { status: 'signed-in'; me: Me; organisation: Organisation | null };

type SessionApi = { session: Session; refresh: () => Promise<void>; signOut: () => Promise<void>; setOrganisation: (o: Organisation) => void };
const SessionContext = createContext<SessionApi | null>(null);

/** Who is signed in (from `/api/v1/me`) and their clinic (name, colour, time zone). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ status: 'loading' });

  const refresh = useCallback(async () => {
    try {
      const me = await endpoints.me();
      const organisation = me.stage === 'full' ? await endpoints.organisation().catch(() => null) : null;
      setSession({ status: 'signed-in', me, organisation });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setSession({ status: 'anonymous' });
      else setSession({ status: 'error', error });
    }
  }, []);

  const signOut = useCallback(async () => {
    await endpoints.signOut().catch(() => undefined);
    setSession({ status: 'anonymous' });
  }, []);

  const setOrganisation = useCallback((organisation: Organisation) => {
    setSession((s) => (s.status === 'signed-in' ? { ...s, organisation } : s));
  }, []);

  useEffect(() => {
    void refresh();
    return onUnauthorised(() => setSession({ status: 'anonymous' }));
  }, [refresh]);

  return <SessionContext.Provider value={{ session, refresh, signOut, setOrganisation }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in staff member; only for screens behind sign-in. */
export function useMe(): { me: Me; organisation: Organisation | null; role: Role; can: (...roles: Role[]) => boolean } {
  const { session } = useSession();
  if (session.status !== 'signed-in') throw new Error('useMe without a session');
  const role = session.me.role;
  return { me: session.me, organisation: session.organisation, role, can: (...roles) => roles.includes(role) };
}

/** Sets the clinic colour as a CSS custom property, with a text colour that keeps 4.5:1 contrast on it. */
export function applyBrand(colour: string | undefined): void {
  const root = document.documentElement;
  if (!colour || !/^#[0-9a-f]{6}$/i.test(colour)) {
    root.style.removeProperty('--brand');
    root.style.removeProperty('--on-brand');
    return;
  }
  root.style.setProperty('--brand', colour);
  root.style.setProperty('--on-brand', contrastText(colour));
}

export function relativeLuminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** White or near-black, whichever contrasts more with the background. */
export function contrastText(hex: string): string {
  const l = relativeLuminance(hex);
  const onWhite = 1.05 / (l + 0.05);
  const onDark = (l + 0.05) / (relativeLuminance('#111111') + 0.05);
  return onWhite >= onDark ? '#ffffff' : '#111111';
}
