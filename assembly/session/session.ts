// The session: who the user is and the provider's tokens, kept sealed in the session cookie.
import { ByteReader, ByteWriter } from "./bytes";

const SESSION_FORMAT: u8 = 1;
const MAX_GROUPS = 256;

export class Session {
  /** When the session was issued or last refreshed (seconds since the Unix epoch). */
  issuedAt: i64 = 0;
  subject: string = "";
  email: string = "";
  preferredUsername: string = "";
  name: string = "";
  groups: Array<string> = new Array<string>();
  accessToken: string = "";
  idToken: string = "";
  refreshToken: string = "";
  /** When the access token expires (0: the provider did not say). */
  accessTokenExpiresAt: i64 = 0;

  encode(): Uint8Array {
    return new ByteWriter()
      .u8(SESSION_FORMAT)
      .u64(<u64>this.issuedAt)
      .string(this.subject)
      .string(this.email)
      .string(this.preferredUsername)
      .string(this.name)
      .strings(this.groups)
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
    session.email = reader.string();
    session.preferredUsername = reader.string();
    session.name = reader.string();
    session.groups = reader.strings(MAX_GROUPS);
    session.accessToken = reader.string();
    session.idToken = reader.string();
    session.refreshToken = reader.string();
    session.accessTokenExpiresAt = <i64>reader.u64();
    if (!reader.done() || session.subject.length == 0) return null;
    return session;
  }
}
