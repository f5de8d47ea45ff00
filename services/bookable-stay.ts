/**
 * Whether a stay may be requested at all: the booking policy's dates, a listing that exists and
 * takes bookings, and a party it sleeps. A booking request and a quote ask the same question,
 * here, so a quote never promises what the request would refuse (same codes, same words).
 */
import { findPropertyById, type PropertyDoc } from '../db/properties.js';
import { DomainError, notFound } from '../domain/errors.js';
import {
  bookingRequestProblem,
  earliestCheckIn,
  latestCheckIn,
  nightOf,
  STAY_PROBLEM_MESSAGES,
  type BookingPolicy,
  type StayDates,
  type StayProblem,
} from '../domain/stay.js';

export interface StayRequest {
  propertyId: string;
  checkIn: Date;
  checkOut: Date;
  guests: number;
}

/** A stay the policy refuses, as the API answers it: 422 with a code per rule. */
function refuseStay(problem: StayProblem, policy: BookingPolicy, now: Date): DomainError {
  const message = STAY_PROBLEM_MESSAGES[problem];
  if (problem === 'check-in-too-soon') {
    const earliest = nightOf(earliestCheckIn(now, policy.minNoticeMs));
    return new DomainError('check_in_too_soon', `${message}; the earliest is ${earliest}`, {
      earliestCheckIn: earliest,
    });
  }
  if (problem === 'check-in-too-far') {
    const latest = nightOf(latestCheckIn(now, policy.horizonMs));
    return new DomainError('check_in_too_far', `${message}; the latest is ${latest}`, {
      latestCheckIn: latest,
    });
  }
  return new DomainError('invalid_stay', message);
}

/** The listing of a stay that may be requested now, or the error the request would get. */
export async function findBookableProperty(
  policy: BookingPolicy,
  request: StayRequest,
  now: Date,
): Promise<PropertyDoc> {
  const dates: StayDates = { checkIn: request.checkIn, checkOut: request.checkOut };
  const problem = bookingRequestProblem(dates, now, policy);
  if (problem) throw refuseStay(problem, policy, now);

  const property = await findPropertyById(request.propertyId);
  if (!property) throw notFound('Property');
  if (!property.available) {
    throw new DomainError('property_unavailable', 'This property is not taking bookings');
  }
  if (request.guests > property.maxGuests) {
    throw new DomainError('too_many_guests', `This property sleeps at most ${property.maxGuests}`);
  }
  return property;
}
