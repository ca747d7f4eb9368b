/** Docker's volume CreatedAt: RFC 3339 to the second. */
export function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}
