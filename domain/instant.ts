/**
 * ISO-8601 instants as other systems write them. The seed's producers write
 * `2025-11-19T10:30:00.000Z`, but a conformant peer may send `2025-11-19T11:30:00+01:00`,
 * `2025-11-19T10:30Z` or nanoseconds; each names one instant, which we keep in UTC.
 * Parsed by hand rather than by `Date.parse`, whose accepted forms beyond the one above are
 * engine-specific (and roll `02-30` over into March).
 */

// date T hh:mm[:ss[.fraction]] (Z | ±hh | ±hh:mm | ±hhmm), extended format as RFC 3339 allows.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;

const MINUTE_MS = 60_000;

/** Minutes east of UTC of an offset like `Z`, `+01`, `-05:30`, `+0545`. */
function offsetMinutes(offset: string): number | null {
  if (offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/** The instant `text` names, or null when it is not an ISO-8601 date-time with an offset. */
export function parseIsoInstant(text: string): Date | null {
  const match = ISO_INSTANT.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const fraction = match[7] ?? '';
  const offset = offsetMinutes(match[8] as string);
  if (offset === null || month < 1 || month > 12 || day < 1 || hour > 23) return null;
  if (minute > 59 || second > 59) return null;
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  // A day that does not exist (02-30) would roll over into the next month.
  if (local.getUTCDate() !== day) return null;
  local.setUTCHours(hour, minute, second, Math.floor(Number(`0.${fraction || '0'}`) * 1000));
  return new Date(local.getTime() - offset * MINUTE_MS);
}

/** `text` as the canonical UTC form we write (`toISOString`), or null when it is no instant. */
export function normalizeIsoInstant(text: string): string | null {
  return parseIsoInstant(text)?.toISOString() ?? null;
}
