import { useSyncExternalStore } from "react";
import { currentSession, onSessionChange, type Session } from "./auth";

let cached: { raw: string | null; session: Session | undefined } = { raw: null, session: undefined };

// useSyncExternalStore needs a stable snapshot; re-read only when storage changed.
function snapshot(): Session | undefined {
  const raw = sessionStorage.getItem("charter.token");
  if (raw !== cached.raw) cached = { raw, session: currentSession() };
  return cached.session;
}

/** The logged-in person, or undefined. */
export function useSession(): Session | undefined {
  return useSyncExternalStore(onSessionChange, snapshot);
}
