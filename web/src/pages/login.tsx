/** What a person sees before logging in: one clear action. */
export function LoginPage(props: { readonly onLogin: () => void }) {
  return (
    <main className="login">
      <div className="login-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            C
          </span>
          <span>Charter</span>
        </div>
        <h1>Your applications, versions and approvals</h1>
        <p className="muted">Sign in with your Charter account to manage applications, teams and clients.</p>
        <button type="button" className="button primary wide" onClick={props.onLogin}>
          Sign in
        </button>
      </div>
    </main>
  );
}
