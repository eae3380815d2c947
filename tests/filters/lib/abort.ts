// The abort of the host's test filters (asc --use abort=...): trap, as a filter abort does.
export function abortTest(
  message: string | null, fileName: string | null, line: u32, column: u32,
): void {
  unreachable();
}
