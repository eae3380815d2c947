// HTTP host functions: local responses, resuming and closing streams, and HTTP callouts.
// A callout belongs to the root context whatever context makes it (cpp-host http_call uses
// contextOrEffectiveContext()->root_context()).
import { StreamType, WasmResult } from "./abi.ts";
import { u32 } from "./memory.ts";
import { parsePairs } from "./pairs.ts";
import type { HostServices } from "./services.ts";
import type { HostFunction } from "./vm.ts";

/** Envoy's StringUtil::replaceAllEmptySpace, applied to response code details. */
export const underscoreSpaces = (details: string): string => details.replace(/[ \t\f\v\n\r]/g, "_");

function streams(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    proxy_send_local_response(
      status,
      detailsPtr,
      detailsSize,
      bodyPtr,
      bodySize,
      headersPtr,
      headersSize,
      grpcStatus,
    ) {
      const details = mem.readString(detailsPtr as number, detailsSize as number);
      const body = mem.read(bodyPtr as number, bodySize as number);
      const headers = mem.read(headersPtr as number, headersSize as number);
      if (details === null || body === null || headers === null) {
        return WasmResult.InvalidMemoryAccess;
      }
      s.vm.currentContext().stream?.sendLocalResponse({
        status: u32(status as number),
        details: underscoreSpaces(details),
        body,
        headers: parsePairs(headers),
        grpcStatus: u32(grpcStatus as number),
      });
      // Whatever the callback returns now, the stream stops (cpp-host stopNextIteration).
      s.vm.stopIteration = true;
      return WasmResult.Ok;
    },
    proxy_continue_stream(type) {
      const kind = u32(type as number);
      if (kind > StreamType.Upstream) return WasmResult.BadArgument;
      const stream = s.vm.currentContext().stream;
      if (stream) return stream.continueStream(kind);
      return kind === StreamType.Upstream ? WasmResult.Unimplemented : WasmResult.Ok;
    },
    proxy_close_stream(type) {
      const kind = u32(type as number);
      if (kind > StreamType.Upstream) return WasmResult.BadArgument;
      return s.vm.currentContext().stream?.closeStream(kind) ?? WasmResult.Ok;
    },
  };
}

function callouts(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    proxy_http_call(
      clusterPtr,
      clusterSize,
      headersPtr,
      headersSize,
      bodyPtr,
      bodySize,
      trailersPtr,
      trailersSize,
      timeoutMs,
      tokenPtr,
    ) {
      const root = s.vm.currentContext().root;
      const cluster = mem.readString(clusterPtr as number, clusterSize as number);
      const body = mem.read(bodyPtr as number, bodySize as number);
      const headers = mem.read(headersPtr as number, headersSize as number);
      const trailers = mem.read(trailersPtr as number, trailersSize as number);
      if (cluster === null || body === null || headers === null || trailers === null) {
        return WasmResult.InvalidMemoryAccess;
      }
      // Envoy writes the token slot first, to fail before starting anything.
      if (!mem.writeU32(tokenPtr as number, 0)) return WasmResult.InvalidMemoryAccess;
      const { result, token } = s.httpCall(root, {
        cluster,
        headers: parsePairs(headers),
        body: Buffer.from(body),
        trailers: parsePairs(trailers),
        // Envoy takes the timeout as a signed int: 2^31 and above is a negative timeout.
        timeoutMs: timeoutMs as number,
      });
      mem.writeU32(tokenPtr as number, token);
      return result;
    },
  };
}

export function httpImports(s: HostServices): Record<string, HostFunction> {
  return { ...streams(s), ...callouts(s) };
}
