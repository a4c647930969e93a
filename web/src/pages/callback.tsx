import { useEffect, useRef, useState } from "react";
import { completeLogin, startLogin } from "../auth";
import { Loading } from "../components";
import { navigate } from "../router";

/** Trades the code for a token, then replaces the URL so the code is in neither the bar nor the history. */
export function CallbackPage(props: { readonly search: string }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const started = useRef(false);
  useEffect(() => {
    // StrictMode runs effects twice in development; the code can be used only once.
    if (started.current) return;
    started.current = true;
    const search = props.search;
    window.history.replaceState(null, "", "/callback");
    completeLogin(search).then(
      (returnTo) => navigate(returnTo, { replace: true }),
      (failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)),
    );
  }, [props.search]);
  return (
    <main className="login">
      <div className="login-card">
        {error === undefined ? (
          <Loading label="Signing you in…" />
        ) : (
          <>
            <h1>Sign-in failed</h1>
            <p role="alert">{error}</p>
            <button type="button" className="button primary wide" onClick={() => startLogin("/")}>
              Sign in again
            </button>
          </>
        )}
      </div>
    </main>
  );
}
