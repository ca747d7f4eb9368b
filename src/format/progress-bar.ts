/** Docker's progress bar (jsonmessage.go's JSONProgress.String): 50 columns, only on terminals wider than 110. */
type Sizer = (bytes: number) => string;

export function progressBar(current: number, total: number, width: number, size: Sizer): string {
  let bar = "";
  if (total > 0 && width > 110) {
    const p = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
    bar = `[${"=".repeat(p)}>${" ".repeat(50 - p)}] `;
  }
  const counts = current > total ? size(current).padStart(8) : `${size(current).padStart(8)}/${size(total)}`;
  return `${bar}${counts}`;
}
