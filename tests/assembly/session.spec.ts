import { CookieKeys, sealValue, unsealValue, verifyValue } from "../../assembly/session/sealed";
import { Claim, Session } from "../../assembly/session/session";
import { FlowState, flowCookieName } from "../../assembly/session/flow";
import { ByteReader, ByteWriter } from "../../assembly/session/bytes";

function bytes(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

// A fixed test secret and nonce: fake values for tests only.
const KEYS = CookieKeys.derive(bytes("test-cookie-secret-0123456789abcdef"));
const OTHER_KEYS = CookieKeys.derive(bytes("another-secret-0123456789abcdef!!"));
const NONCE = new Uint8Array(12).fill(7);

function sampleSession(): Session {
  const session = new Session();
  session.issuedAt = 1_700_000_000;
  session.subject = "alice";
  session.claims = [
    new Claim("email", "alice@example.com"),
    new Claim("groups", "admins,users"),
  ];
  session.accessToken = "access-token-value";
  session.idToken = "id.token.value";
  session.refreshToken = "";
  session.accessTokenExpiresAt = 1_700_003_600;
  return session;
}

describe("sealed cookie values", () => {
  it("round-trip a record under the same name and keys", () => {
    const value = sealValue(KEYS, "_s", bytes("hello"), NONCE)!;
    expect(value.startsWith("1.")).toBe(true);
    const record = unsealValue(KEYS, "_s", value)!;
    expect(String.UTF8.decode(record.buffer)).toBe("hello");
  });
  it("refuse a value sealed for another cookie name", () => {
    const value = sealValue(KEYS, "_flow_x", bytes("hello"), NONCE)!;
    expect(unsealValue(KEYS, "_s", value)).toBeNull();
  });
  it("refuse a value sealed with another secret", () => {
    const value = sealValue(OTHER_KEYS, "_s", bytes("hello"), NONCE)!;
    expect(unsealValue(KEYS, "_s", value)).toBeNull();
  });
  it("refuse every single-character change", () => {
    const value = sealValue(KEYS, "_s", bytes("hello world"), NONCE)!;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      const changed = value.substring(0, i) + String.fromCharCode(c == 65 ? 66 : 65) +
        value.substring(i + 1);
      expect(unsealValue(KEYS, "_s", changed)).toBeNull();
    }
  });
  it("refuse truncated, empty and malformed values", () => {
    const value = sealValue(KEYS, "_s", bytes("hello"), NONCE)!;
    for (let i = 0; i < value.length; i++) {
      expect(unsealValue(KEYS, "_s", value.substring(0, i))).toBeNull();
    }
    expect(verifyValue(KEYS, "_s", "1..")).toBeNull();
    expect(verifyValue(KEYS, "_s", "2.abc.def")).toBeNull();
    expect(verifyValue(KEYS, "_s", "1.abc")).toBeNull();
  });
  it("refuse a wrong nonce size instead of sealing", () => {
    expect(sealValue(KEYS, "_s", bytes("x"), new Uint8Array(8))).toBeNull();
  });
});

describe("Session records", () => {
  it("round-trip every field", () => {
    const decoded = Session.decode(sampleSession().encode())!;
    expect(decoded.issuedAt).toBe(1_700_000_000);
    expect(decoded.subject).toBe("alice");
    expect(decoded.claim("email")).toBe("alice@example.com");
    expect(decoded.claim("groups")).toBe("admins,users");
    expect(decoded.claim("sub")).toBe("alice");
    expect(decoded.claim("name")).toBeNull();
    expect(decoded.idToken).toBe("id.token.value");
    expect(decoded.accessTokenExpiresAt).toBe(1_700_003_600);
  });
  it("refuse every truncation and trailing bytes", () => {
    const encoded = sampleSession().encode();
    for (let i = 0; i < encoded.length; i++) {
      expect(Session.decode(encoded.subarray(0, i))).toBeNull();
    }
    const longer = new Uint8Array(encoded.length + 1);
    longer.set(encoded);
    expect(Session.decode(longer)).toBeNull();
  });
  it("refuse a session without a subject", () => {
    const session = sampleSession();
    session.subject = "";
    expect(Session.decode(session.encode())).toBeNull();
  });
  it("refuse a record whose string length points past the end", () => {
    const writer = new ByteWriter().u8(1).u64(0);
    const record = writer.finish();
    const forged = new Uint8Array(record.length + 4);
    forged.set(record);
    store<u32>(forged.dataStart + <usize>record.length, 0x7fffffff);
    expect(Session.decode(forged)).toBeNull();
  });
});

describe("FlowState records", () => {
  it("round-trip and name the cookie from the state", () => {
    const flow = new FlowState();
    flow.state = "state-value";
    flow.nonce = "nonce-value";
    flow.codeVerifier = "verifier";
    flow.target = "/api/v1/products/1";
    flow.createdAt = 1_700_000_000;
    const decoded = FlowState.decode(flow.encode())!;
    expect(decoded.target).toBe("/api/v1/products/1");
    expect(decoded.codeVerifier).toBe("verifier");
    const name = flowCookieName("_oidc_flow_", "state-value");
    expect(name.length).toBe(11 + 16);
    expect(name).toBe(flowCookieName("_oidc_flow_", "state-value"));
    expect(name == flowCookieName("_oidc_flow_", "state-valuf")).toBe(false);
  });
});

describe("ByteReader", () => {
  it("fails, without trapping, on reads past the end", () => {
    const reader = new ByteReader(new Uint8Array(3));
    expect(reader.u64()).toBe(0);
    expect(reader.ok).toBe(false);
    expect(reader.string()).toBe("");
    expect(reader.done()).toBe(false);
  });
  it("caps list sizes", () => {
    const list = new ByteWriter().strings(["a", "b", "c"]).finish();
    const reader = new ByteReader(list);
    reader.strings(2);
    expect(reader.ok).toBe(false);
  });
});
