import { createHash } from "node:crypto";

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}
body{margin:0;display:grid;place-items:center;min-height:100vh;background:Canvas;color:CanvasText}
main{width:min(24rem,100% - 2rem);padding:2rem;border:1px solid GrayText;border-radius:.5rem}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;margin-top:1rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;margin-top:.25rem}
button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;cursor:pointer}
input:focus-visible,button:focus-visible{outline:3px solid Highlight;outline-offset:2px}
.error{border-left:4px solid #b00020;padding:.5rem .75rem;margin:0 0 1rem}
ul{padding-left:1.25rem}code{font-size:.95em}
`;

/** The Content-Security-Policy hash of the one inline style sheet. */
const STYLE_HASH = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

/**
 * Response headers for the login and error pages: nothing but the inline style may load, no page
 * may frame them (clickjacking), and the form may post only to Charter, whose answer redirects to
 * `redirectOrigins` (browsers apply `form-action` to the redirect as well).
 */
export function pageHeaders(redirectOrigins: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...redirectOrigins].join(" ");
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": `default-src 'none'; style-src ${STYLE_HASH}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}

export interface LoginPageInput {
  /** Where the form posts: the issuer's authorization endpoint. */
  readonly action: string;
  readonly clientId: string;
  /** The requested scopes; undefined when the client asked for every scope the person holds. */
  readonly scopes: readonly string[] | undefined;
  readonly formToken: string;
  readonly error?: string | undefined;
  readonly username?: string | undefined;
}

/** The login form of the authorization endpoint; every interpolated value is escaped. */
export function renderLoginPage(input: LoginPageInput): string {
  const error =
    input.error === undefined
      ? ""
      : `<p class="error" id="login-error" role="alert">${escapeHtml(input.error)}</p>`;
  const describedBy = input.error === undefined ? "" : ' aria-describedby="login-error"';
  const scopes =
    input.scopes === undefined
      ? "<p>It asks for every scope you hold.</p>"
      : `<p>It asks for these scopes:</p><ul>${input.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join("")}</ul>`;
  return page(
    "Sign in to Charter",
    `<main>
<h1>Sign in to Charter</h1>
<p>The application <strong>${escapeHtml(input.clientId)}</strong> wants to act on your behalf.</p>
${scopes}
${error}<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="form_token" value="${escapeHtml(input.formToken)}">
<label for="username">User id</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="128" value="${escapeHtml(input.username ?? "")}"${describedBy}${input.error === undefined ? " autofocus" : ""}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${describedBy}${input.error === undefined ? "" : " autofocus"}>
<button type="submit">Sign in</button>
</form>
</main>`,
  );
}

/** The page shown when the request cannot be sent back to the client. */
export function renderErrorPage(title: string, detail: string): string {
  return page(
    title,
    `<main>
<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(detail)}</p>
<p>Return to the application and start the sign-in again.</p>
</main>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
