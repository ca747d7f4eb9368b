/**
 * Plain code-unit order for sorting IDs and RFC 3339 times. localeCompare
 * would start ICU's collator (several ms on a command's first sort) and can
 * order digits and punctuation differently from the bytes.
 */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
