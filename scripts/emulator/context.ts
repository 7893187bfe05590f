/**
 * What every endpoint handler of one regional listener needs.
 *
 * @module
 */

import type { EmulatorConfig } from "./config.ts";
import type { IdTokenSigner } from "./id_token.ts";
import type { EmulatorStore } from "./store.ts";

/** One listener's view of the emulator. */
export interface ListenerContext {
  /** The region this listener serves. */
  readonly region: string;
  /** Canonical base URL of this listener, `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /**
   * The base URL clients address this region by: what DPoP `htu` and the cross-device
   * `redirect_uri` must name. The listener URL unless `EmulatorOptions.publicUrlFor` says otherwise.
   */
  readonly publicUrl: string;
  readonly config: EmulatorConfig;
  readonly store: EmulatorStore;
  readonly idTokens: IdTokenSigner;
}
