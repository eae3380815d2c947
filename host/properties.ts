// Stream properties (Envoy's attributes) and their encoding: strings raw, integers and
// timestamps as 8-byte little-endian integers, booleans as one byte, maps as header pairs
// (Envoy's serializeValue). Header-derived request attributes exist only while Envoy exposes
// the request header map (before the filter continues the request, and in proxy_on_log).
import type { HeaderMap } from "./header-map.ts";
import { serializePairs, type HeaderPairs } from "./pairs.ts";

/** Connection facts of a stream, fixed when it starts. */
export interface ConnectionInfo {
  sourceAddress: string;
  sourcePort: number;
  destinationAddress: string;
  destinationPort: number;
  /** True when the downstream connection used mutual TLS. */
  mtls: boolean;
  /** "HTTP/1.1", "HTTP/2"... */
  protocol: string;
  connectionId: number;
}

/** What a stream exposes to property lookups right now. */
export interface PropertyView {
  info: ConnectionInfo;
  startTimeMs: number;
  /** The request header map if Envoy exposes it now, else null. */
  requestHeaders: HeaderMap | null;
  /** The response header map if Envoy exposes it now, else null. */
  responseHeaders: HeaderMap | null;
  responseCode: number | undefined;
  responseCodeDetails: string | undefined;
}

export type PropertyValue = string | number | bigint | boolean | Uint8Array | HeaderPairs;

export function encodeProperty(value: PropertyValue): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (typeof value === "boolean") return new Uint8Array([value ? 1 : 0]);
  if (Array.isArray(value)) return serializePairs(value);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(value), true);
  return out;
}

/** A header map as a CEL map: one entry per name, repeated values joined with ",". */
function headersAsMap(map: HeaderMap): HeaderPairs {
  const names = [...new Set(map.pairs().map(([k]) => k))];
  return names.map((name) => [name, map.getAll(name).join(",")]);
}

function mapLookup(map: HeaderMap, rest: string[]): PropertyValue | undefined {
  if (rest.length === 0) return headersAsMap(map);
  if (rest.length > 1) return undefined;
  const values = map.getAll(rest[0]);
  return values.length > 0 ? values.join(",") : undefined;
}

type Attribute = PropertyValue | undefined;

/** Header values are octets (latin1 strings here): keep their bytes as they are. */
const octets = (value: Attribute): Attribute =>
  typeof value === "string" ? Buffer.from(value, "latin1") : value;

function requestAttribute(view: PropertyView, name: string, rest: string[]): Attribute {
  if (name === "protocol") return view.info.protocol;
  if (name === "time") return BigInt(Math.round(view.startTimeMs * 1e6));
  const headers = view.requestHeaders;
  if (!headers) return undefined;
  const path = headers.get(":path");
  switch (name) {
    case "headers":
      return mapLookup(headers, rest);
    case "path":
      return path;
    case "url_path":
      return path?.split("?")[0];
    case "query":
      return path === undefined ? undefined : (path.split("?")[1] ?? "");
    case "host":
      return headers.get(":authority");
    case "scheme":
      return headers.get(":scheme");
    case "method":
      return headers.get(":method");
    case "id":
      return headers.get("x-request-id");
    case "referer":
      return headers.get("referer");
    case "useragent":
      return headers.get("user-agent");
    default:
      return undefined;
  }
}

function responseAttribute(view: PropertyView, name: string, rest: string[]): Attribute {
  switch (name) {
    case "code":
      return view.responseCode === undefined ? undefined : BigInt(view.responseCode);
    case "code_details":
      return view.responseCodeDetails;
    case "headers":
      return view.responseHeaders ? mapLookup(view.responseHeaders, rest) : undefined;
    default:
      return undefined;
  }
}

function attribute(view: PropertyView, parts: string[]): PropertyValue | undefined {
  const [top, name, ...rest] = parts;
  const leaf = rest.length === 0;
  const { info } = view;
  switch (top) {
    case "request":
      return name === undefined ? undefined : octets(requestAttribute(view, name, rest));
    case "response":
      return name === undefined ? undefined : octets(responseAttribute(view, name, rest));
    case "source":
    case "destination": {
      const address = top === "source" ? info.sourceAddress : info.destinationAddress;
      const port = top === "source" ? info.sourcePort : info.destinationPort;
      if (!leaf) return undefined;
      if (name === "address") return `${address}:${port}`;
      if (name === "port") return BigInt(port);
      return undefined;
    }
    case "connection":
      if (!leaf) return undefined;
      if (name === "mtls") return info.mtls;
      if (name === "id") return BigInt(info.connectionId);
      return undefined;
    case "connection_id":
      return name === undefined ? BigInt(info.connectionId) : undefined;
    default:
      return undefined;
  }
}

/** The encoded value of a stream property, or undefined (NotFound). */
export function streamProperty(view: PropertyView, parts: string[]): Uint8Array | undefined {
  const value = attribute(view, parts);
  return value === undefined ? undefined : encodeProperty(value);
}
