/**
 * Code-point order, the order every backend lists in. JavaScript's `<` compares UTF-16 code
 * units, which disagrees with code points (and with SQL's byte order) for astral characters.
 */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
