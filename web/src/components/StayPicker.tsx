/**
 * Check-in and check-out: two date fields and a calendar (react-day-picker) bound together.
 * With `taken` nights (a listing's calendar), those are greyed out and struck through, a stay
 * may not start on one, and a span over one is refused with the nights it would cross.
 */
import { useMemo, useState } from 'react';
import { DayPicker, type Matcher } from 'react-day-picker';
import { addDays, day, isoDay, localDay, nightsOf } from '../lib/format';

export interface Stay {
  checkIn: string;
  checkOut: string;
}

/** Taken nights a stay from `checkIn` to `checkOut` would cross. */
export function takenNightsOf(stay: Stay, taken: ReadonlySet<string>): string[] {
  return nightsOf(stay.checkIn, stay.checkOut).filter((night) => taken.has(night));
}

/** "2 December 2026, Wednesday, taken": the visible number first (WCAG 2.5.3, label in name). */
function dayLabel(date: Date, modifiers: Record<string, boolean>): string {
  const month = date.toLocaleDateString('en', { month: 'long', year: 'numeric' });
  const weekday = date.toLocaleDateString('en', { weekday: 'long' });
  const notes = [
    modifiers.today && 'today',
    modifiers.taken && 'taken',
    modifiers.selected && 'selected',
  ].filter(Boolean);
  return [`${date.getDate()} ${month}`, weekday, ...notes].join(', ');
}

export function StayPicker({
  value,
  onChange,
  taken,
  first,
  last,
  idPrefix,
}: {
  value: Partial<Stay>;
  onChange: (stay: Partial<Stay>) => void;
  /** Nights already held; none when omitted (a search). */
  taken?: ReadonlySet<string>;
  /** Earliest check-in and latest check-in (YYYY-MM-DD). */
  first: string;
  last: string;
  idPrefix: string;
}) {
  const [problem, setProblem] = useState('');
  const [month, setMonth] = useState(() => localDay(value.checkIn ?? first));
  const takenSet = useMemo(() => taken ?? new Set<string>(), [taken]);
  const { checkIn, checkOut } = value;
  const choosingCheckOut = Boolean(checkIn && !checkOut);

  const choose = (next: Partial<Stay>) => {
    if (next.checkIn && takenSet.has(next.checkIn)) {
      setProblem(`The night of ${day(next.checkIn)} is taken: choose another check-in.`);
      return;
    }
    if (next.checkIn && next.checkOut) {
      if (next.checkOut <= next.checkIn) {
        setProblem('Check-out must be after check-in.');
        onChange({ checkIn: next.checkIn });
        return;
      }
      const crossed = takenNightsOf(next as Stay, takenSet);
      if (crossed.length > 0) {
        setProblem(
          `That stay would cross taken nights (${crossed.map(day).join(', ')}): ` +
            'choose a check-out before them, or other dates.',
        );
        onChange({ checkIn: next.checkIn });
        return;
      }
    }
    setProblem('');
    onChange(next);
  };

  const onDayClick = (date: Date) => {
    const clicked = isoDay(date);
    if (!checkIn || checkOut || clicked <= checkIn) choose({ checkIn: clicked });
    else choose({ checkIn, checkOut: clicked });
  };

  // After a check-in, the first taken night after it is the last possible check-out.
  const firstTakenAfter = choosingCheckOut
    ? [...takenSet].filter((night) => night > checkIn!).sort()[0]
    : undefined;
  const disabled: Matcher[] = [
    { before: localDay(first) },
    { after: localDay(choosingCheckOut ? addDays(last, 90) : last) },
    (date: Date) => {
      const iso = isoDay(date);
      return takenSet.has(iso) && iso !== firstTakenAfter;
    },
  ];
  if (firstTakenAfter) disabled.push({ after: localDay(firstTakenAfter) });

  const selected =
    checkIn !== undefined
      ? { from: localDay(checkIn), to: checkOut ? localDay(checkOut) : undefined }
      : undefined;

  return (
    <div className="stay-picker">
      <div className="row">
        <label className="field">
          <span>Check-in</span>
          <input
            id={`${idPrefix}-check-in`}
            type="date"
            min={first}
            max={last}
            value={checkIn ?? ''}
            onChange={(event) => {
              const next = event.target.value;
              if (!next) return choose({});
              setMonth(localDay(next));
              choose({
                checkIn: next,
                checkOut: checkOut && checkOut > next ? checkOut : undefined,
              });
            }}
          />
        </label>
        <label className="field">
          <span>Check-out</span>
          <input
            id={`${idPrefix}-check-out`}
            type="date"
            min={checkIn ? addDays(checkIn, 1) : first}
            value={checkOut ?? ''}
            onChange={(event) => {
              const next = event.target.value;
              if (!checkIn) return setProblem('Choose a check-in first.');
              choose({ checkIn, checkOut: next || undefined });
            }}
          />
        </label>
      </div>
      <DayPicker
        mode="range"
        selected={selected}
        onSelect={(_range, date) => onDayClick(date)}
        month={month}
        onMonthChange={setMonth}
        startMonth={localDay(first)}
        endMonth={localDay(addDays(last, 90))}
        disabled={disabled}
        modifiers={{ taken: (date: Date) => takenSet.has(isoDay(date)) }}
        modifiersClassNames={{ taken: 'taken' }}
        labels={{ labelDayButton: dayLabel }}
        weekStartsOn={1}
        showOutsideDays={false}
        footer={
          <p className="muted small" aria-live="polite">
            {checkIn && checkOut
              ? `${day(checkIn)} to ${day(checkOut)}`
              : checkIn
                ? 'Now choose the check-out day.'
                : 'Choose the check-in day.'}
            {takenSet.size > 0 && ' Struck-through nights are taken.'}
          </p>
        }
      />
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
