describe("as-pect setup", () => {
  it("runs AssemblyScript tests", () => {
    expect<i32>(1 + 1).toBe(2);
  });
});
