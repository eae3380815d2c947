// Known answers for ChaCha20 (RFC 8439 §2.3.2, §2.4.2, A.1, A.2), Poly1305 (§2.5.2, A.3) and
// AEAD_CHACHA20_POLY1305 (§2.8.2, A.5), and the AEAD's refusals of bad input.
import { chacha20, chacha20Block } from "../../assembly/crypto/chacha20";
import { poly1305 } from "../../assembly/crypto/poly1305";
import { open, seal } from "../../assembly/crypto/aead";
import { ascii, hex, unhex } from "./support/bytes";

/** The bytes first, first + 1, ..., first + count - 1. */
function counting(first: u8, count: i32): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = <u8>(first + i);
  return out;
}

const SUNSCREEN =
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the " +
  "future, sunscreen would be it.";

// The RFC 8439 A.2 #2, A.3 #2-#3 text ("Any submission to the IETF ..."), 375 bytes.
const IETF_TEXT =
  "Any submission to the IETF intended by the Contributor for publication as all or part " +
  "of an IETF Internet-Draft or RFC and any statement made within the context of an IETF " +
  'activity is considered an "IETF Contribution". Such statements include oral ' +
  "statements in IETF sessions, as well as written and electronic communications made " +
  "at any time or place, which are addressed to";

const JABBERWOCKY =
  "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n" +
  "All mimsy were the borogoves,\nAnd the mome raths outgrabe.";

const KEY_A2_3 = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";

describe("ChaCha20 block function (RFC 8439 §2.3.2, A.1)", () => {
  it("§2.3.2: key 00..1f, counter 1", () => {
    const block = chacha20Block(counting(0, 32), 1, unhex("000000090000004a00000000"))!;
    expect(hex(block)).toBe(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
    );
  });

  it("A.1 #1: all-zero key and nonce, counter 0", () => {
    const block = chacha20Block(new Uint8Array(32), 0, new Uint8Array(12))!;
    expect(hex(block)).toBe(
      "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7" +
        "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
    );
  });

  it("A.1 #4: key byte 1 set to 0xff, counter 2", () => {
    const key = new Uint8Array(32);
    key[1] = 0xff;
    expect(hex(chacha20Block(key, 2, new Uint8Array(12))!)).toBe(
      "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca" +
        "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096",
    );
  });

  it("A.1 #5: nonce ending in 0x02, counter 0", () => {
    expect(hex(chacha20Block(new Uint8Array(32), 0, unhex("000000000000000000000002"))!)).toBe(
      "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7" +
        "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d",
    );
  });

  it("returns null for a 31-byte key or an 8-byte nonce", () => {
    expect(chacha20Block(new Uint8Array(31), 0, new Uint8Array(12))).toBeNull();
    expect(chacha20Block(new Uint8Array(32), 0, new Uint8Array(8))).toBeNull();
  });
});

describe("ChaCha20 encryption (RFC 8439 §2.4.2, A.2)", () => {
  it("§2.4.2: encrypts the 114-byte sunscreen text from counter 1", () => {
    const nonce = unhex("000000000000004a00000000");
    expect(hex(chacha20(counting(0, 32), 1, nonce, ascii(SUNSCREEN))!)).toBe(
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
        "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
        "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
        "5af90bbf74a35be6b40b8eedf2785e42874d",
    );
  });

  it("A.2 #2: encrypts 375 bytes, the final block partial", () => {
    const key = new Uint8Array(32);
    key[31] = 1;
    const ciphertext = chacha20(key, 1, unhex("000000000000000000000002"), ascii(IETF_TEXT))!;
    expect(ciphertext.length).toBe(375);
    expect(hex(ciphertext.subarray(0, 32))).toBe(
      "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec",
    );
    expect(hex(ciphertext.subarray(352))).toBe("7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221");
  });

  it("A.2 #3: encrypts from counter 42", () => {
    const nonce = unhex("000000000000000000000002");
    expect(hex(chacha20(unhex(KEY_A2_3), 42, nonce, ascii(JABBERWOCKY))!)).toBe(
      "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf" +
        "166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb" +
        "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77" +
        "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1",
    );
  });

  it("returns null when the 32-bit block counter would wrap", () => {
    const input = new Uint8Array(65);
    expect(chacha20(new Uint8Array(32), 0xffffffff, new Uint8Array(12), input)).toBeNull();
    expect(chacha20(new Uint8Array(32), 0xffffffff, new Uint8Array(12), input.subarray(1))).not
      .toBeNull();
  });
});

describe("Poly1305 (RFC 8439 §2.5.2, A.3)", () => {
  it("§2.5.2: tags 'Cryptographic Forum Research Group'", () => {
    const key = unhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
    expect(hex(poly1305(key, ascii("Cryptographic Forum Research Group"))!)).toBe(
      "a8061dc1305136c6c22b8baf0c0127a9",
    );
  });

  it("A.3 #2: r = 0 gives s whatever the text", () => {
    const key = unhex("00000000000000000000000000000000 36e5f6b5c5e06070f0efca96227a863e");
    expect(hex(poly1305(key, ascii(IETF_TEXT))!)).toBe("36e5f6b5c5e06070f0efca96227a863e");
  });

  it("A.3 #3: s = 0 over the 375-byte text", () => {
    const key = unhex("36e5f6b5c5e06070f0efca96227a863e 00000000000000000000000000000000");
    expect(hex(poly1305(key, ascii(IETF_TEXT))!)).toBe("f3477e7cd95417af89a6b8794c310cf0");
  });

  it("A.3 #4: tags the Jabberwocky text", () => {
    expect(hex(poly1305(unhex(KEY_A2_3), ascii(JABBERWOCKY))!)).toBe(
      "4541669a7eaaee61e708dc7cbcc5eb62",
    );
  });

  it("A.3 #5: reduces a partially reduced final value", () => {
    const key = unhex("02000000000000000000000000000000 00000000000000000000000000000000");
    expect(hex(poly1305(key, unhex("ffffffffffffffffffffffffffffffff"))!)).toBe(
      "03000000000000000000000000000000",
    );
  });

  it("A.3 #6: drops the carry when adding s overflows 2^128", () => {
    const key = unhex("02000000000000000000000000000000 ffffffffffffffffffffffffffffffff");
    expect(hex(poly1305(key, unhex("02000000000000000000000000000000"))!)).toBe(
      "03000000000000000000000000000000",
    );
  });

  it("A.3 #7: carries into an all-ones limb", () => {
    const key = unhex("01000000000000000000000000000000 00000000000000000000000000000000");
    const data = unhex(
      "ffffffffffffffffffffffffffffffff f0ffffffffffffffffffffffffffffff" +
        "11000000000000000000000000000000",
    );
    expect(hex(poly1305(key, data)!)).toBe("05000000000000000000000000000000");
  });

  it("A.3 #8: a final value of exactly 2^130 - 5 gives zero", () => {
    const key = unhex("01000000000000000000000000000000 00000000000000000000000000000000");
    const data = unhex(
      "ffffffffffffffffffffffffffffffff fbfefefefefefefefefefefefefefefe" +
        "01010101010101010101010101010101",
    );
    expect(hex(poly1305(key, data)!)).toBe("00000000000000000000000000000000");
  });

  it("A.3 #9: a final value of 2^130 - 6 stays as it is", () => {
    const key = unhex("02000000000000000000000000000000 00000000000000000000000000000000");
    expect(hex(poly1305(key, unhex("fdffffffffffffffffffffffffffffff"))!)).toBe(
      "faffffffffffffffffffffffffffffff",
    );
  });

  it("A.3 #10 and #11: reductions with 131-bit intermediate and final values", () => {
    const key = unhex("01000000000000000400000000000000 00000000000000000000000000000000");
    const threeBlocks =
      "e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000" +
      "00000000000000000000000000000000";
    expect(hex(poly1305(key, unhex(threeBlocks + "01000000000000000000000000000000"))!)).toBe(
      "14000000000000005500000000000000",
    );
    expect(hex(poly1305(key, unhex(threeBlocks))!)).toBe("13000000000000000000000000000000");
  });

  it("returns null for a 16-byte key", () => {
    expect(poly1305(new Uint8Array(16), new Uint8Array(0))).toBeNull();
  });
});

// RFC 8439 §2.8.2: nonce = the 32-bit constant 07 00 00 00, then the IV 40..47.
const AEAD_KEY = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
const AEAD_NONCE = "070000004041424344454647";
const AEAD_AAD = "50515253c0c1c2c3c4c5c6c7";
const AEAD_SEALED =
  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6" +
  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36" +
  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
  "3ff4def08e4b7a9de576d26586cec64b6116" +
  "1ae10b594f09e26a7e902ecbd0600691";

describe("AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8.2, A.5)", () => {
  it("§2.8.2: seals the sunscreen text into ciphertext and tag", () => {
    const sealed = seal(unhex(AEAD_KEY), unhex(AEAD_NONCE), ascii(SUNSCREEN), unhex(AEAD_AAD));
    expect(hex(sealed!)).toBe(AEAD_SEALED);
  });

  it("§2.8.2: opens the sealed text back to the plaintext", () => {
    const opened = open(unhex(AEAD_KEY), unhex(AEAD_NONCE), unhex(AEAD_SEALED), unhex(AEAD_AAD));
    expect(String.UTF8.decode(opened!.buffer)).toBe(SUNSCREEN);
  });

  it("A.5: opens the 265-byte Internet-Draft text", () => {
    const sealed = unhex(
      "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2" +
        "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf" +
        "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855" +
        "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4" +
        "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e" +
        "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
        "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10" +
        "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29" +
        "a6ad5cb4022b02709b" +
        "eead9d67890cbb22392336fea1851f38",
    );
    const opened = open(
      unhex(KEY_A2_3), unhex("000000000102030405060708"), sealed, unhex("f33388860000000000004e91"),
    );
    expect(opened!.length).toBe(265);
    expect(String.UTF8.decode(opened!.buffer).startsWith("Internet-Drafts are draft documents"))
      .toBe(true);
    expect(String.UTF8.decode(opened!.buffer).endsWith("/\u201cwork in progress./\u201d"))
      .toBe(true);
  });

  it("returns null when one bit of the tag is flipped", () => {
    const sealed = unhex(AEAD_SEALED);
    sealed[sealed.length - 1] ^= 0x80;
    expect(open(unhex(AEAD_KEY), unhex(AEAD_NONCE), sealed, unhex(AEAD_AAD))).toBeNull();
  });

  it("returns null when the aad differs", () => {
    const aad = unhex(AEAD_AAD);
    aad[0] ^= 1;
    expect(open(unhex(AEAD_KEY), unhex(AEAD_NONCE), unhex(AEAD_SEALED), aad)).toBeNull();
  });

  it("returns null for input shorter than a tag, and opens a bare tag to empty", () => {
    const key = unhex(AEAD_KEY);
    const nonce = unhex(AEAD_NONCE);
    expect(open(key, nonce, new Uint8Array(15), new Uint8Array(0))).toBeNull();
    const bare = seal(key, nonce, new Uint8Array(0), new Uint8Array(0))!;
    expect(bare.length).toBe(16);
    expect(open(key, nonce, bare, new Uint8Array(0))!.length).toBe(0);
  });

  it("returns null for a key that is not 32 bytes or a nonce that is not 12", () => {
    const plaintext = ascii(SUNSCREEN);
    const aad = new Uint8Array(0);
    expect(seal(new Uint8Array(16), unhex(AEAD_NONCE), plaintext, aad)).toBeNull();
    expect(seal(unhex(AEAD_KEY), new Uint8Array(8), plaintext, aad)).toBeNull();
    expect(open(new Uint8Array(33), unhex(AEAD_NONCE), unhex(AEAD_SEALED), aad)).toBeNull();
    expect(open(unhex(AEAD_KEY), new Uint8Array(24), unhex(AEAD_SEALED), aad)).toBeNull();
  });
});
