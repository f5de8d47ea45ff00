/**
 * **Plan my trip**: the traveler's preferences, then the local model's day-by-day plan of the
 * stay (the dates and the place are StaySaga's; the model writes what to do). A planner that is
 * down says so: there is never a made-up plan.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../lib/api';
import { day } from '../lib/format';
import type { Booking, TripPlan } from '../lib/types';
import { ErrorNote } from './Status';

type Budget = 'low' | 'medium' | 'high';

export function TripPlanner({ booking }: { booking: Booking }) {
  const [budget, setBudget] = useState<Budget | ''>('');
  const [interests, setInterests] = useState('');
  const [diet, setDiet] = useState('');
  const [mobility, setMobility] = useState('');
  const plan = useMutation({
    mutationFn: () =>
      call(
        api.api.agent.plan.$post({
          json: {
            bookingId: booking.id,
            preferences: {
              ...(budget ? { budget } : {}),
              ...(interests.trim()
                ? {
                    interests: interests
                      .split(',')
                      .map((i) => i.trim())
                      .filter(Boolean)
                      .slice(0, 8),
                  }
                : {}),
              ...(diet.trim() ? { diet: diet.trim() } : {}),
              ...(mobility.trim() ? { mobility: mobility.trim() } : {}),
            },
          },
        }),
      ),
  });
  return (
    <section id="plan" aria-labelledby="plan-heading" className="trip-planner">
      <h2 id="plan-heading">Plan my trip</h2>
      <form
        className="planner-form"
        onSubmit={(event) => {
          event.preventDefault();
          plan.mutate();
        }}
      >
        <label>
          Budget
          <select value={budget} onChange={(e) => setBudget(e.target.value as Budget | '')}>
            <option value="">Any</option>
            <option value="low">Low</option>
            <option value="medium">Medium</option>
            <option value="high">High</option>
          </select>
        </label>
        <label>
          Interests (comma-separated)
          <input
            value={interests}
            maxLength={300}
            onChange={(e) => setInterests(e.target.value)}
            placeholder="food, museums, beaches"
          />
        </label>
        <label>
          Diet
          <input value={diet} maxLength={100} onChange={(e) => setDiet(e.target.value)} />
        </label>
        <label>
          Mobility
          <input value={mobility} maxLength={100} onChange={(e) => setMobility(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={plan.isPending}>
          {plan.isPending ? 'Planning… (up to a minute)' : 'Plan my trip'}
        </button>
      </form>
      {plan.error && <ErrorNote error={plan.error} />}
      {plan.data && <PlanView plan={plan.data.plan} />}
    </section>
  );
}

function PlanView({ plan }: { plan: TripPlan }) {
  return (
    <div className="plan" aria-live="polite">
      <p>
        {plan.propertyName}, {plan.destination.city}, {plan.destination.country}:{' '}
        {day(plan.checkIn)} to {day(plan.checkOut)}, {plan.guests} guest(s).
      </p>
      <ol className="plan-days">
        {plan.days.map((d) => (
          <li key={d.date}>
            <h3>{day(d.date)}</h3>
            <dl>
              <dt>Morning</dt>
              <dd>{d.morning}</dd>
              <dt>Afternoon</dt>
              <dd>{d.afternoon}</dd>
              <dt>Evening</dt>
              <dd>{d.evening}</dd>
            </dl>
          </li>
        ))}
      </ol>
      <PlanList title="Restaurants" items={plan.restaurants.map((r) => `${r.name}: ${r.note}`)} />
      <PlanList title="Packing list" items={plan.packingList} />
      <PlanList title="Local tips" items={plan.tips} />
      <p className="small muted">
        Written by {plan.generatedBy.model} in {(plan.generatedBy.ms / 1000).toFixed(1)} s: a small
        local model, so check what it suggests.
      </p>
    </div>
  );
}

function PlanList({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <ul>
        {items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </>
  );
}
