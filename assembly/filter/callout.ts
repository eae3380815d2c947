// The answer to a callout, as the filter reads it inside proxy_on_http_call_response: the
// status (0 when the callout failed and no response came) and the body.
import { getBufferBytes, getHeader } from "../abi/host";
import { BufferType, MapType } from "../abi/types";

export class CalloutAnswer {
  constructor(public status: u32, public body: Uint8Array) {}
}

export function readCalloutAnswer(numHeaders: u32, bodySize: u32): CalloutAnswer {
  if (numHeaders == 0) return new CalloutAnswer(0, new Uint8Array(0));
  const status = getHeader(MapType.HttpCallResponseHeaders, ":status");
  const code = status === null ? 0 : I32.parseInt(status);
  const body = getBufferBytes(BufferType.HttpCallResponseBody, 0, bodySize);
  return new CalloutAnswer(<u32>max(code, 0), body === null ? new Uint8Array(0) : Uint8Array.wrap(body));
}
