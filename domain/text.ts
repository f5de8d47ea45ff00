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

/**
 * Characters no name, city or message should carry: C0 and C1 controls (NUL, BEL, ESC, ...),
 * DEL, and the invisible bidirectional controls (U+061C, U+200E-U+200F, U+202A-U+202E,
 * U+2066-U+2069) that make text read differently from what is stored ("Villa‮txt.exe").
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** The same, but tab and line breaks are allowed (descriptions, bios, reasons). */
const CONTROLS_EXCEPT_LINE_BREAKS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Half of a UTF-16 surrogate pair without the other half: no character at all. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` holds a character a person could not have meant to type there. */
export function hasForbiddenCharacters(text: string, { multiline = false } = {}): boolean {
  const controls = multiline ? CONTROLS_EXCEPT_LINE_BREAKS : CONTROLS;
  return controls.test(text) || LONE_SURROGATE.test(text);
}
