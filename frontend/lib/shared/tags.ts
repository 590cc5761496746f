/** Tags as the backend reads them; one rule for every place that compares or shows them. */

/** As the backend stores a tag: trimmed, inner whitespace collapsed, lower-cased (a character
 * that lower-cases to two, like "İ", stays as typed, as on the server). */
export function normalizeTag(raw: string): string {
  return Array.from(raw.trim().split(/\s+/u).join(" "))
    .map((char) => {
      const lowered = char.toLowerCase();
      return Array.from(lowered).length === 1 ? lowered : char;
    })
    .join("");
}
