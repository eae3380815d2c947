// Smallest harness module: proves that tests/harness compiles and loads from Node.
export function reverseBytes(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = input[input.length - 1 - i];
  return out;
}
