// Known answers for SHA-256 from FIPS 180-4's examples (NIST CSRC "Example Values"), and the
// incremental hasher fed the same messages in pieces.
import { sha256, Sha256 } from "../../assembly/crypto/sha256";
import { ascii, hex, repeated } from "./support/bytes";

const MESSAGE_448_BITS = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const MESSAGE_896_BITS =
  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq" +
  "klmnopqrlmnopqrsmnopqrstnopqrstu";

describe("sha256 one-shot (FIPS 180-4 examples)", () => {
  it("hashes the empty message", () => {
    expect(hex(sha256(new Uint8Array(0)))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("hashes the one-block message 'abc'", () => {
    expect(hex(sha256(ascii("abc")))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("hashes the 448-bit message, whose padding needs a second block", () => {
    expect(hex(sha256(ascii(MESSAGE_448_BITS)))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("hashes the 896-bit message", () => {
    expect(hex(sha256(ascii(MESSAGE_896_BITS)))).toBe(
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    );
  });

  it("hashes one million 'a' bytes", () => {
    expect(hex(sha256(repeated(0x61, 1000000)))).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
  });
});

describe("Sha256 incremental hasher", () => {
  it("gives the one-shot digest when the 448-bit message arrives byte by byte", () => {
    const message = ascii(MESSAGE_448_BITS);
    const hasher = new Sha256();
    for (let i = 0; i < message.length; i++) hasher.update(message.subarray(i, i + 1));
    expect(hex(hasher.finish())).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("hashes one million 'a' bytes fed in uneven pieces of 1000 and 37 bytes", () => {
    const hasher = new Sha256();
    const big = repeated(0x61, 1000);
    const small = repeated(0x61, 37);
    let fed = 0;
    while (fed + 1037 <= 1000000) {
      hasher.update(big).update(small);
      fed += 1037;
    }
    hasher.update(repeated(0x61, 1000000 - fed));
    expect(hex(hasher.finish())).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
  });

  it("starts a new message after finish, so one instance hashes many", () => {
    const hasher = new Sha256();
    hasher.update(ascii("something else entirely"));
    hasher.finish();
    expect(hex(hasher.update(ascii("abc")).finish())).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("discards a half-hashed message on reset", () => {
    const hasher = new Sha256();
    hasher.update(ascii(MESSAGE_896_BITS));
    expect(hex(hasher.reset().update(ascii("abc")).finish())).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
