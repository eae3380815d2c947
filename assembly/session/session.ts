// The session: who the user is and the provider's tokens, kept sealed in the session cookie.
import { ByteReader, ByteWriter } from "./bytes";

const SESSION_FORMAT: u8 = 1;
const MAX_CLAIMS = 64;

/** One ID-token claim kept for the upstream, its value flattened to text. */
export class Claim {
  constructor(public name: string, public value: string) {}
}

export class Session {
  /** When the session was issued or last refreshed (seconds since the Unix epoch). */
  issuedAt: i64 = 0;
  subject: string = "";
  /** The claims the configuration sends upstream (besides the subject). */
  claims: Array<Claim> = new Array<Claim>();
  accessToken: string = "";
  idToken: string = "";
  refreshToken: string = "";
  /** When the access token expires (0: the provider did not say). */
  accessTokenExpiresAt: i64 = 0;
  /**
   * The identity headers for the upstream, as UTF-8 values in the order of the configured
   * claim headers (null: claim not kept). Built on first use; a cached session reuses them.
   */
  upstreamValues: Array<ArrayBuffer | null> | null = null;

  /** The value of claim `name`; the subject for "sub"; null when not kept. */
  claim(name: string): string | null {
    if (name == "sub") return this.subject;
    for (let i = 0; i < this.claims.length; i++) {
      if (this.claims[i].name == name) return this.claims[i].value;
    }
    return null;
  }

  encode(): Uint8Array {
    const writer = new ByteWriter()
      .u8(SESSION_FORMAT)
      .u64(<u64>this.issuedAt)
      .string(this.subject)
      .u64(<u64>this.claims.length);
    for (let i = 0; i < this.claims.length; i++) {
      writer.string(this.claims[i].name).string(this.claims[i].value);
    }
    return writer
      .string(this.accessToken)
      .string(this.idToken)
      .string(this.refreshToken)
      .u64(<u64>this.accessTokenExpiresAt)
      .finish();
  }

  /** Null when `bytes` is not a session record of this format. */
  static decode(bytes: Uint8Array): Session | null {
    const reader = new ByteReader(bytes);
    if (reader.u8() != SESSION_FORMAT) return null;
    const session = new Session();
    session.issuedAt = <i64>reader.u64();
    session.subject = reader.string();
    const count = reader.u64();
    if (count > <u64>MAX_CLAIMS) return null;
    for (let i: u64 = 0; i < count && reader.ok; i++) {
      const name = reader.string();
      session.claims.push(new Claim(name, reader.string()));
    }
    session.accessToken = reader.string();
    session.idToken = reader.string();
    session.refreshToken = reader.string();
    session.accessTokenExpiresAt = <i64>reader.u64();
    if (!reader.done() || session.subject.length == 0) return null;
    return session;
  }
}
