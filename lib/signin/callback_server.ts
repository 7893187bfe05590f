/**
 * The loopback listener that receives the browser's redirect in the same-device flow.
 *
 * It binds 127.0.0.1 only (WSL2 forwards IPv4 loopback to Windows; IPv6-only binding breaks it),
 * answers only `GET /oauth/callback` on a loopback `Host` (anything else is 404, a foreign `Host` is
 * refused, which defeats DNS rebinding), accepts exactly one callback, and is `AsyncDisposable`.
 *
 * Only a callback that carries this sign-in's `state` ends the wait, with its code or its `error`.
 * Any other request to the callback path (a missing or wrong `state`, such as a web page's
 * `<img src="http://127.0.0.1:PORT/oauth/callback?state=x">` probing the port) gets an error page
 * while the listener keeps waiting for the real one; aws-cli ends the login on any `error=`.
 *
 * @module
 */

import type { Deps, HttpServer } from "../runtime/deps.ts";
import { AuthorizationError, NetworkError, UsageError } from "../errors.ts";
import { CALLBACK_PATH } from "./aws_dialect.ts";
import { type AuthorizationResponse, checkAuthorizationResponse } from "./authorization.ts";
import { errorPage, successPage } from "./pages.ts";

/** A running callback listener. */
export interface CallbackServer extends AsyncDisposable {
  /** `http://127.0.0.1:{port}/oauth/callback`. */
  readonly redirectUri: string;
  readonly port: number;
  /**
   * Settles with the first callback: the checked response with its code, or an {@link AuthorizationError}
   * (state mismatch, `error=...`, no code).
   */
  readonly result: Promise<AuthorizationResponse>;
  /** Settles the result from elsewhere (a pasted redirect address); the first one wins. */
  submit(parameters: URLSearchParams): void;
  close(): Promise<void>;
}

/** Options of {@link startCallbackServer}. */
export interface CallbackServerOptions {
  /** The state the callback must carry. */
  expectedState: string;
  /** A fixed port (`--redirect-port`); `0` or absent picks a free one. */
  port?: number | undefined;
}

const BIND_ADDRESS = "127.0.0.1";

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
};

function page(status: number, html: string): Response {
  return new Response(html, { status, headers: PAGE_HEADERS });
}

function plain(status: number, text: string): Response {
  return new Response(text + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * Starts the listener. The caller must `await using` it (or call `close()`).
 *
 * @example
 * ```ts ignore
 * await using server = await startCallbackServer(deps, { expectedState: state });
 * const { code } = await server.result;
 * ```
 */
export async function startCallbackServer(
  deps: Pick<Deps, "serve">,
  options: CallbackServerOptions,
): Promise<CallbackServer> {
  let settled = false;
  let resolveResult!: (response: AuthorizationResponse) => void;
  let rejectResult!: (error: Error) => void;
  const result = new Promise<AuthorizationResponse>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // A rejection nobody awaited yet must not crash the process.
  result.catch(() => {});

  function settle(parameters: URLSearchParams): Error | undefined {
    if (settled) return undefined;
    settled = true;
    try {
      resolveResult(checkAuthorizationResponse(parameters, options.expectedState));
      return undefined;
    } catch (error) {
      rejectResult(error as Error);
      return error as Error;
    }
  }

  let port = 0;
  function handle(request: Request): Response {
    const url = new URL(request.url);
    const host = request.headers.get("host") ?? "";
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes(host.toLowerCase())) {
      return plain(
        421,
        `Refusing a request for host "${host}": this listener only serves 127.0.0.1`,
      );
    }
    if (url.pathname !== CALLBACK_PATH) return plain(404, "Not found");
    if (request.method !== "GET") return plain(405, "Method not allowed");
    if (settled) {
      return page(
        409,
        errorPage("This sign-in has already finished. Return to your terminal."),
      );
    }
    if (url.searchParams.get("state") !== options.expectedState) {
      return page(
        400,
        errorPage(
          "This address does not belong to the sign-in your terminal is waiting for. Use the link your terminal printed.",
        ),
      );
    }
    const error = settle(url.searchParams);
    if (error === undefined) return page(200, successPage());
    return page(400, errorPage(error.message));
  }

  let server: HttpServer;
  try {
    server = await deps.serve({ hostname: BIND_ADDRESS, port: options.port ?? 0 }, handle);
  } catch (error) {
    const reason = (error as Error).message;
    if (options.port) {
      throw new UsageError(
        `Cannot listen on ${BIND_ADDRESS}:${options.port} for the sign-in callback: ${reason}`,
        {
          code: "CALLBACK_PORT_UNAVAILABLE",
          hint: "Choose another port with --redirect-port, or leave it out to pick a free one",
          cause: error,
        },
      );
    }
    throw new NetworkError(
      `Unable to initialize the OAuth 2.0 authorization callback handler: ${reason}`,
      {
        code: "CALLBACK_BIND_FAILED",
        hint: "Run the command again with --remote to sign in without a callback listener",
        cause: error,
      },
    );
  }
  port = server.port;

  let closed = false;
  async function close() {
    if (closed) return;
    closed = true;
    if (!settled) {
      settled = true;
      rejectResult(new AuthorizationError("The sign-in was abandoned", { code: "ABANDONED" }));
    }
    await server.shutdown();
  }

  return {
    redirectUri: `http://${BIND_ADDRESS}:${port}${CALLBACK_PATH}`,
    port,
    result,
    submit: (parameters) => void settle(parameters),
    close,
    [Symbol.asyncDispose]: close,
  };
}
