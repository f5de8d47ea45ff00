/**
 * Text that travelers type, made safe to search with. A search string must never be read as a
 * regular expression: `.*` would match every listing, and a stray `(` would make the database
 * answer with an error.
 */

/** The characters a regular expression gives a meaning to (ECMAScript, PCRE and RE2 alike). */
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|]/g;

/** `text` with every regular-expression syntax character escaped, so it matches only itself. */
export function escapeRegExp(text: string): string {
  return text.replace(REGEX_SYNTAX, '\\$&');
}

/** A pattern matching strings that start with `text`, taken literally. */
export function startsWithPattern(text: string): string {
  return `^${escapeRegExp(text)}`;
}

/** The entries of a comma-separated list, trimmed, without empty ones or repeats. */
export function commaSeparated(list: string): string[] {
  const entries = list.split(',').map((entry) => entry.trim());
  return [...new Set(entries.filter((entry) => entry.length > 0))];
}
