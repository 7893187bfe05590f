/**
 * The emulator's shell: one `node:http` listener per region on 127.0.0.1 (chosen over
 * `Deno.serve` because an injected `drop` fault must close a connection without answering, which
 * only a raw socket allows), the router, fault application and {@link startEmulator}. Each
 * listener serves what AWS spreads over three hosts: Sign-In, its OAuth host (`/v1/revoke`) and
 * STS.
 *
 * @module
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ADMIN_PREFIX, type AdminContext, handleAdmin } from "./admin.ts";
import {
  CONFIRMATION_PATH,
  handleAuthorize,
  handleConfirmation,
  handleDecision,
} from "./authorize.ts";
import { resolveConfig } from "./config.ts";
import type { ListenerContext } from "./context.ts";
import { FaultQueue, faultResponse, isAccessDeniedFault } from "./faults.ts";
import { DROP, type HandlerResult, type IncomingRequest, jsonResponse, sleep } from "./http.ts";
import { IdTokenSigner } from "./id_token.ts";
import { handleRevoke, REVOKE_PATH } from "./revoke.ts";
import { EmulatorStore } from "./store.ts";
import { handleSts, stsActionOf, type StsParameters, stsParameters } from "./sts.ts";
import { handleToken } from "./token.ts";
import type { Emulator, EmulatorCounts, EmulatorOptions, Fault, StsAction } from "./types.ts";

/** Largest request body accepted. */
const MAX_BODY_BYTES = 1024 * 1024;

type Endpoint = "authorize" | "decision" | "confirmation" | "token" | "revoke" | "sts";

function endpointOf(path: string): Endpoint | null {
  switch (path) {
    case "/v1/authorize":
      return "authorize";
    case "/v1/authorize/decision":
      return "decision";
    case CONFIRMATION_PATH:
      return "confirmation";
    case "/v1/token":
      return "token";
    case REVOKE_PATH:
      return "revoke";
    case "/":
      return "sts";
    default:
      return null;
  }
}

interface Shared {
  readonly admin: AdminContext;
  readonly closing: AbortSignal;
}

function countRequest(counts: EmulatorCounts, endpoint: Endpoint, action: StsAction | null): void {
  if (action === "AssumeRole") counts.assumeRole++;
  if (endpoint === "authorize") counts.authorize++;
  else if (endpoint === "token") counts.token++;
  else if (endpoint === "revoke") counts.revoke++;
  else if (endpoint === "sts") counts.sts++;
  else if (endpoint === "confirmation") counts.confirmation++;
}

/**
 * Applies a fault's delay, then its effect: a dropped connection, an answer, or (an
 * {@link isAccessDeniedFault}) `"deny"`, which the endpoint answers after authenticating.
 */
async function applyFault(
  fault: Fault,
  request: IncomingRequest,
  closing: AbortSignal,
): Promise<HandlerResult | "deny" | null> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs, closing);
  if (fault.drop === true) return DROP;
  if (fault.loseAnswer === true) return null;
  if (isAccessDeniedFault(fault)) return "deny";
  return faultResponse(fault, request);
}

async function route(
  request: IncomingRequest,
  context: ListenerContext,
  shared: Shared,
): Promise<HandlerResult> {
  const port = new URL(context.baseUrl).port;
  const host = request.headers.get("host");
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return jsonResponse(400, {
      message: `Host header "${host ?? ""}" does not name this emulator`,
    });
  }
  if (request.path.startsWith(ADMIN_PREFIX)) return handleAdmin(request, shared.admin);
  const endpoint = endpointOf(request.path);
  if (endpoint === null) {
    return jsonResponse(404, { message: `No route for "${request.path}"` }, {
      "x-amzn-errortype": "UnknownOperationException",
    });
  }
  // STS requests name their action in the parameters, which faults and counters need first.
  const parameters: StsParameters | undefined = endpoint === "sts"
    ? stsParameters(request)
    : undefined;
  const action = parameters === undefined ? null : stsActionOf(parameters);
  countRequest(context.store.counts, endpoint, action);
  const fault = shared.admin.faults.take(request.path, action);
  let deniedByFault = false;
  if (fault !== undefined) {
    context.store.counts.faults++;
    const result = await applyFault(fault, request, shared.closing);
    if (result === "deny") deniedByFault = true;
    else if (result !== null) return result;
  }
  const answer = await handle(endpoint, request, context, { deniedByFault, parameters });
  return fault?.loseAnswer === true ? DROP : answer;
}

async function handle(
  endpoint: Endpoint,
  request: IncomingRequest,
  context: ListenerContext,
  options: { deniedByFault: boolean; parameters: StsParameters | undefined },
): Promise<HandlerResult> {
  const { deniedByFault, parameters } = options;
  switch (endpoint) {
    case "authorize":
      return handleAuthorize(request, context);
    case "decision":
      return handleDecision(request, context);
    case "confirmation":
      return handleConfirmation(request, context);
    case "token":
      return await handleToken(request, context);
    case "revoke":
      return await handleRevoke(request, context, { deniedByFault });
    case "sts":
      return await handleSts(request, context, {
        deniedByFault,
        ...(parameters === undefined ? {} : { parameters }),
      });
  }
}

function toIncomingRequest(
  message: IncomingMessage,
  body: Uint8Array<ArrayBuffer>,
): IncomingRequest {
  const target = message.url ?? "/";
  const question = target.indexOf("?");
  const rawHeaders: Array<[string, string]> = [];
  const headers = new Headers();
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) {
    const name = (message.rawHeaders[i] ?? "").toLowerCase();
    const value = message.rawHeaders[i + 1] ?? "";
    rawHeaders.push([name, value]);
    headers.append(name, value);
  }
  return {
    method: (message.method ?? "GET").toUpperCase(),
    path: question === -1 ? target : target.slice(0, question),
    rawQuery: question === -1 ? null : target.slice(question + 1),
    headers,
    rawHeaders,
    body,
  };
}

function readBody(message: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | null> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    message.on("data", (chunk: Uint8Array) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    message.on("end", () => {
      if (size > MAX_BODY_BYTES) return resolve(null);
      const body = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.length;
      }
      resolve(body);
    });
    message.on("error", reject);
  });
}

/**
 * Sends an answer. Its `Date` header tells the emulator's clock (`now`), not the machine's, as a
 * real server tells its own: a test that moves the emulator's clock sees the skew a client would
 * (`aws-login doctor` compares the two clocks).
 */
async function writeResponse(response: Response, out: ServerResponse, now: number): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers["content-length"] = String(body.length);
  headers.date = new Date(now).toUTCString();
  out.writeHead(response.status, headers);
  out.end(body);
}

/** One regional listener. */
interface Listener {
  readonly region: string;
  readonly baseUrl: string;
  readonly server: Server;
}

async function listen(
  region: string,
  port: number,
  handle: (request: IncomingRequest, baseUrl: string) => Promise<HandlerResult>,
  options: { log: (line: string) => void; now: () => number },
): Promise<Listener> {
  const { log, now } = options;
  let baseUrl = "";
  const server = createServer((message, out) => {
    void (async () => {
      let status: number | string = "dropped";
      try {
        const body = await readBody(message);
        const request = body === null ? null : toIncomingRequest(message, body);
        const result = request === null
          ? jsonResponse(413, { message: `The body exceeds ${MAX_BODY_BYTES} bytes` })
          : await handle(request, baseUrl);
        if (result === DROP) {
          message.socket.destroy();
        } else {
          status = result.status;
          await writeResponse(result, out, now());
        }
      } catch (error) {
        status = 500;
        log(`${region} internal error: ${error instanceof Error ? error.message : String(error)}`);
        if (!out.headersSent) {
          await writeResponse(
            jsonResponse(500, { error: "server_error", message: "Emulator failure" }, {
              "x-amzn-errortype": "InternalServerException",
            }),
            out,
            now(),
          ).catch(() => message.socket.destroy());
        }
      }
      const path = (message.url ?? "/").split("?")[0];
      log(`${region} ${message.method} ${path} -> ${status}`);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("The listener has no port");
  baseUrl = `http://127.0.0.1:${address.port}`;
  return { region, baseUrl, server };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

class RunningEmulator implements Emulator {
  readonly #listeners: readonly Listener[];
  readonly #store: EmulatorStore;
  readonly #faults: FaultQueue;
  readonly #closing: AbortController;
  #closed: Promise<void> | null = null;

  constructor(
    listeners: readonly Listener[],
    store: EmulatorStore,
    faults: FaultQueue,
    closing: AbortController,
  ) {
    this.#listeners = listeners;
    this.#store = store;
    this.#faults = faults;
    this.#closing = closing;
  }

  get url(): string {
    return this.#listeners[0]?.baseUrl ?? "";
  }

  get counts(): EmulatorCounts {
    return this.#store.counts;
  }

  urlFor(region: string): string {
    const listener = this.#listeners.find((candidate) => candidate.region === region);
    if (listener === undefined) {
      throw new RangeError(`Region "${region}" is not served by this emulator`);
    }
    return listener.baseUrl;
  }

  injectFault(fault: Fault): void {
    this.#faults.push(fault);
  }

  expireRefreshTokens(): void {
    this.#store.expireRefreshTokens();
  }

  changeUserCredentials(): void {
    this.#store.changeUserCredentials();
  }

  close(): Promise<void> {
    if (this.#closed === null) {
      this.#closing.abort();
      this.#closed = Promise.all(this.#listeners.map((listener) => closeServer(listener.server)))
        .then(() => {});
    }
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts the emulator: one listener per region on 127.0.0.1, sharing sessions, credentials,
 * counters and faults. Rejects when an option is invalid or a port cannot be bound.
 *
 * @example
 * ```ts
 * await using emulator = await startEmulator({ regions: ["us-east-1", "eu-west-1"] });
 * const tokenUrl = `${emulator.urlFor("eu-west-1")}/v1/token`;
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const config = resolveConfig(options);
  const store = new EmulatorStore();
  for (const key of config.accessKeys) store.addAccessKey(key);
  const faults = new FaultQueue();
  const idTokens = await IdTokenSigner.create();
  const closing = new AbortController();
  const urls: Record<string, string> = {};
  const shared: Shared = {
    admin: { config, store, faults, idTokens, urls },
    closing: closing.signal,
  };
  const listeners: Listener[] = [];
  try {
    for (const [index, region] of config.regions.entries()) {
      let context: ListenerContext | null = null;
      const listener = await listen(
        region,
        config.port === 0 ? 0 : config.port + index,
        (request, baseUrl) => {
          context ??= {
            region,
            baseUrl,
            publicUrl: config.publicUrls.get(region) ?? baseUrl,
            config,
            store,
            idTokens,
          };
          return route(request, context, shared);
        },
        { log: config.log, now: config.now },
      );
      listeners.push(listener);
      urls[region] = listener.baseUrl;
    }
  } catch (error) {
    closing.abort();
    await Promise.all(listeners.map((listener) => closeServer(listener.server)));
    throw error;
  }
  return new RunningEmulator(listeners, store, faults, closing);
}
