import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, getToken, onUnauthorized, setToken } from './api';
import type { Whoami } from './types';

interface Session {
  user: Whoami | undefined;
  signIn(token: string): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in user; the token lives in sessionStorage, so it ends with the browser session. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Whoami>();
  const [checking, setChecking] = useState(getToken() !== null);

  const signOut = useCallback(() => {
    setToken(null);
    setUser(undefined);
  }, []);

  useEffect(() => onUnauthorized(signOut), [signOut]);

  useEffect(() => {
    if (!getToken()) return;
    api<Whoami>('/whoami')
      .then(setUser)
      .catch(() => signOut())
      .finally(() => setChecking(false));
  }, [signOut]);

  const signIn = useCallback(async (token: string) => {
    const me = await api<Whoami>('/whoami', { token });
    setToken(token);
    setUser(me);
  }, []);

  if (checking)
    return (
      <p className="page-loading" role="status">
        Loading…
      </p>
    );
  return <SessionContext.Provider value={{ user, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
