/** Money, dates and the stay arithmetic the pages show (dates are UTC calendar days). */

export function money(amount: number, currency = 'USD'): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 2 })
    .format(amount)
    .replace(/\.00$/, '');
}

/** `YYYY-MM-DD` of a local calendar date (what a date picker gives). */
export function isoDay(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** The local calendar date of a `YYYY-MM-DD` (or an instant at UTC midnight). */
export function localDay(text: string): Date {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

export function addDays(text: string, days: number): string {
  const date = localDay(text);
  date.setDate(date.getDate() + days);
  return isoDay(date);
}

/** Each night from check-in up to (not including) check-out. */
export function nightsOf(checkIn: string, checkOut: string): string[] {
  const nights: string[] = [];
  for (let night = checkIn; night < checkOut; night = addDays(night, 1)) nights.push(night);
  return nights;
}

export function day(text: string): string {
  return localDay(text).toLocaleDateString('en', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}

export function shortDay(text: string): string {
  return localDay(text).toLocaleDateString('en', { day: 'numeric', month: 'short' });
}

export function dateTime(text: string): string {
  return new Date(text).toLocaleString('en', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "in 23 h", "in 12 min", "passed". */
export function timeLeft(until: string, now = Date.now()): string {
  const ms = new Date(until).getTime() - now;
  if (ms <= 0) return 'passed';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `in ${Math.max(1, minutes)} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `in ${hours} h` : `in ${Math.round(hours / 24)} days`;
}

/** Whether an instant is still ahead. */
export function isAhead(instant: string, now = Date.now()): boolean {
  return new Date(instant).getTime() > now;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
