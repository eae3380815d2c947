// The host's side of proxy-wasm contexts, as the host calls see them. Every call into the
// module runs on a context: the VM context (id 0, for start-up and the allocator), the root
// context (id 1, the plugin) or a stream context (2 and up, one per HTTP request). A host call
// acts on the effective context (see WasmVm), and what it may touch depends on the context
// and on the callback running: a header map, a body, a configuration buffer.
import type { BufferType, MapType, StreamType, WasmResult } from "./abi.ts";
import type { ByteBuffer } from "./byte-buffer.ts";
import type { HeaderMap } from "./header-map.ts";
import type { HeaderPairs } from "./pairs.ts";

/** A callout's response, readable through the root context during its callback only. */
export interface CalloutResponse {
  headers: HeaderMap;
  body: Uint8Array;
  trailers: HeaderMap | null;
}

/** State of a plugin-level context: the root context, or the VM context (its own root). */
export class RootState {
  vmConfigReadable = false;
  pluginConfigReadable = false;
  calloutResponse: CalloutResponse | null = null;
  /** proxy_get_status: Envoy sets these on a failed callout (and never clears the code). */
  statusCode = 0;
  statusMessage = "";

  constructor(readonly id: number) {}
}

/** A local response as the filter asked for it with proxy_send_local_response. */
export interface LocalReplyRequest {
  status: number;
  /** Response code details, with every whitespace character replaced by "_" (as Envoy does). */
  details: string;
  body: Uint8Array;
  headers: HeaderPairs;
  grpcStatus: number;
}

/** What the host calls need from an HTTP stream context. */
export interface StreamHandle {
  /** The map if the filter may modify it now, else null (Envoy's getMap). */
  mutableMap(type: MapType): HeaderMap | null;
  /** The map if the filter may read it now, else null (Envoy's getConstMap). */
  readableMap(type: MapType): HeaderMap | null;
  /** True while proxy_on_log runs: a missing map then reads as NotFound, not BadArgument. */
  readonly inLogPhase: boolean;
  body(type: BufferType): ByteBuffer | null;
  sendLocalResponse(reply: LocalReplyRequest): void;
  continueStream(type: StreamType): WasmResult;
  closeStream(type: StreamType): WasmResult;
  /** A property of the stream (request, response, connection), or undefined if unknown. */
  property(path: string[]): Uint8Array | undefined;
  setFilterState(path: string, value: Uint8Array): void;
  filterState(path: string): Uint8Array | undefined;
}

export interface HostContext {
  readonly id: number;
  readonly root: RootState;
  readonly stream: StreamHandle | null;
}
