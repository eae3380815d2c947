// The constant-time comparison's results; its timing is argued in assembly/crypto/ct.ts.
import { constantTimeEqual, constantTimeEqualAt } from "../../assembly/crypto/ct";

function bytesOf(values: u8[]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

describe("constantTimeEqual", () => {
  it("is true for equal contents in distinct buffers", () => {
    expect(constantTimeEqual(bytesOf([1, 2, 3, 4]), bytesOf([1, 2, 3, 4]))).toBe(true);
  });

  it("is true for two empty arrays", () => {
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it("is false when only the first byte differs", () => {
    expect(constantTimeEqual(bytesOf([0, 2, 3, 4]), bytesOf([1, 2, 3, 4]))).toBe(false);
  });

  it("is false when only the last bit differs", () => {
    expect(constantTimeEqual(bytesOf([1, 2, 3, 4]), bytesOf([1, 2, 3, 5]))).toBe(false);
  });

  it("is false when one is a prefix of the other, in either order", () => {
    expect(constantTimeEqual(bytesOf([1, 2, 3]), bytesOf([1, 2, 3, 4]))).toBe(false);
    expect(constantTimeEqual(bytesOf([1, 2, 3, 4]), bytesOf([1, 2, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), bytesOf([0]))).toBe(false);
  });

  it("compares subarrays by their own bytes, not their buffers'", () => {
    const whole = bytesOf([9, 1, 2, 9, 1, 2]);
    expect(constantTimeEqual(whole.subarray(1, 3), whole.subarray(4, 6))).toBe(true);
    expect(constantTimeEqual(whole.subarray(0, 3), whole.subarray(1, 4))).toBe(false);
  });
});

describe("constantTimeEqualAt", () => {
  it("compares only the given number of bytes", () => {
    const a = bytesOf([5, 6, 7, 1]);
    const b = bytesOf([5, 6, 7, 2]);
    expect(constantTimeEqualAt(a.dataStart, b.dataStart, 3)).toBe(true);
    expect(constantTimeEqualAt(a.dataStart, b.dataStart, 4)).toBe(false);
  });
});
