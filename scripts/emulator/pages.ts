/**
 * HTML pages of the emulated Sign-In service: the consent page, the cross-device code page and
 * error pages. Every interpolated value is HTML-escaped; the pages run no script.
 *
 * @module
 */

/**
 * Escapes text for use in HTML content and double-quoted attributes.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">'); // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const STYLE = `
body { font-family: system-ui, sans-serif; background: #f2f3f3; color: #16191f; margin: 0; }
main { max-width: 36rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px;
  box-shadow: 0 1px 4px rgba(0,0,0,.15); }
h1 { font-size: 1.4rem; margin-top: 0; }
.banner { font-size: .8rem; color: #5f6b7a; text-transform: uppercase; letter-spacing: .05em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
dt { color: #5f6b7a; } dd { margin: 0; word-break: break-all; font-family: monospace; }
button { font-size: 1rem; padding: .6rem 1.4rem; border-radius: 20px; border: 1px solid #0972d3;
  cursor: pointer; margin-right: .6rem; }
#approve { background: #ff9900; border-color: #ec7211; color: #000; font-weight: bold; }
#deny { background: #fff; color: #0972d3; }
#verification-code { display: block; font-family: monospace; font-size: 1.1rem; padding: 1rem;
  background: #f2f3f3; border-radius: 4px; word-break: break-all; user-select: all; }
.error { color: #d91515; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="banner">AWS Sign-In emulator (not AWS)</p>
${body}
</main>
</body>
</html>
`;
}

/** What the consent page shows. */
export interface ConsentPageInput {
  /** Single-use id of the pending authorization, posted back with the decision. */
  requestId: string;
  clientId: string;
  redirectUri: string;
  sessionArn: string;
  region: string;
}

/**
 * The consent page of page-approval mode: a form posting `request` and `decision` to
 * `/v1/authorize/decision`, with buttons `id="approve"` and `id="deny"`.
 *
 * @example
 * ```ts
 * consentPage({ requestId, clientId, redirectUri, sessionArn, region });
 * ```
 */
export function consentPage(input: ConsentPageInput): string {
  return page(
    "Allow access? - AWS Sign-In emulator",
    `<h1>Allow the AWS CLI to use your console session?</h1>
<p>An application is asking for temporary AWS credentials for your signed-in session.</p>
<dl>
<dt>Client</dt><dd id="client-id">${escapeHtml(input.clientId)}</dd>
<dt>Session</dt><dd id="session-arn">${escapeHtml(input.sessionArn)}</dd>
<dt>Region</dt><dd>${escapeHtml(input.region)}</dd>
<dt>Returns to</dt><dd>${escapeHtml(input.redirectUri)}</dd>
</dl>
<form method="post" action="/v1/authorize/decision">
<input type="hidden" name="request" value="${escapeHtml(input.requestId)}">
<button type="submit" id="approve" name="decision" value="approve">Allow access</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/**
 * The cross-device page that shows the code to paste into the terminal, in the element with
 * `id="verification-code"`.
 *
 * @example
 * ```ts
 * confirmationPage("c3RhdGU9...");
 * ```
 */
export function confirmationPage(verificationCode: string): string {
  return page(
    "Authorization code - AWS Sign-In emulator",
    `<h1>Sign-in complete</h1>
<p>Copy this code and paste it into the terminal where you ran the login command:</p>
<code id="verification-code">${escapeHtml(verificationCode)}</code>
<p>You can close this tab afterwards.</p>`,
  );
}

/**
 * An error page; `message` is shown in the element with `id="error-message"`.
 *
 * @example
 * ```ts
 * errorPage("Invalid request", 'Parameter "scope" must be "openid"');
 * ```
 */
export function errorPage(title: string, message: string): string {
  return page(
    `${title} - AWS Sign-In emulator`,
    `<h1 class="error">${escapeHtml(title)}</h1>
<p id="error-message">${escapeHtml(message)}</p>`,
  );
}
