/**
 * The small pages the loopback listener shows in the browser. Embedded as strings so that a
 * compiled binary needs no files next to it.
 *
 * @module
 */

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
  main { max-width: 32rem; padding: 2rem; border: 1px solid #8884; border-radius: 12px; }
  h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
  p { line-height: 1.5; margin: .5rem 0; }
  .ok { color: #1d8102; } .fail { color: #d13212; }
  code { overflow-wrap: anywhere; }
`;

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">'); // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]!);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>
`;
}

/**
 * The page shown after a successful callback.
 *
 * @example
 * ```ts
 * successPage().includes("You can close this tab"); // true
 * ```
 */
export function successPage(): string {
  return layout(
    "aws-login: signed in",
    `<h1 class="ok">Signed in to AWS</h1>
<p>Your credentials have been shared with aws-login and can be used until your session expires.</p>
<p>You can close this tab and return to your terminal.</p>`,
  );
}

/**
 * The page shown when the callback carries an error.
 *
 * @example
 * ```ts
 * errorPage("State parameter x does not match").includes("does not match"); // true
 * ```
 */
export function errorPage(message: string): string {
  return layout(
    "aws-login: sign-in failed",
    `<h1 class="fail">Sign-in failed</h1>
<p>${escapeHtml(message)}</p>
<p>Return to your terminal for details.</p>`,
  );
}
