// The one table `npm run bench` prints: a row per figure, with its target, its ratio to the
// baseline it is compared with, and whether the target is met. Printed as Markdown, so the
// README's Performance section can hold it exactly as printed.

export interface Row {
  name: string;
  value: number;
  unit: string;
  /** The target, in words ("<= 1.5x no-op"). */
  target?: string;
  /** value / baseline, and what the baseline is ("no-op", "node:crypto"). */
  ratio?: number;
  versus?: string;
  /** Whether the target is met; undefined for figures without a target. */
  met?: boolean;
  /** A remark printed under the table (how the figure was taken, what it leaves out). */
  note?: string;
}

function formatValue(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString("en-US");
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatRatio(row: Row): string {
  if (row.ratio === undefined) return "";
  const digits = row.ratio >= 10 ? 1 : 2;
  return `${row.ratio.toFixed(digits)}x${row.versus ? ` ${row.versus}` : ""}`;
}

function verdict(row: Row): string {
  if (row.met === undefined) return "";
  return row.met ? "yes" : "**no**";
}

/** The table as Markdown lines, notes numbered under it (a list, so each stays a line). */
export function renderTable(rows: Row[]): string[] {
  const notes: string[] = [];
  const body = rows.map((row) => {
    let name = row.name;
    if (row.note) {
      notes.push(row.note);
      name += ` [${notes.length}]`;
    }
    const cells = [name, `${formatValue(row.value)} ${row.unit}`, formatRatio(row),
      row.target ?? "", verdict(row)];
    return `| ${cells.join(" | ")} |`;
  });
  const lines = [
    "| Figure | Value | Ratio | Target | Met |",
    "|---|--:|--:|---|---|",
    ...body,
  ];
  if (notes.length > 0) lines.push("", ...notes.map((note, i) => `- [${i + 1}] ${note}`));
  return lines;
}
