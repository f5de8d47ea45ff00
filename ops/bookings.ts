/**
 * `bookings`: finds booking sagas through Temporal visibility, on the search attributes the saga
 * keeps up to date. Every filter value is validated (ObjectId hex, status enum, RFC 3339 time)
 * and re-rendered by us, so no text typed by an operator ever reaches the query verbatim.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import { BOOKING_STATUSES, type BookingStatus } from '../domain/booking-status.js';
import { objectIdHex } from '../domain/messages.js';
import { searchAttributes } from '../workflows/booking-definitions.js';
import { instantArgument } from './arguments.js';

export interface BookingListOptions {
  status?: BookingStatus;
  propertyId?: string;
  ownerId?: string;
  travelerId?: string;
  checkInFrom?: Date;
  checkInTo?: Date;
  limit: number;
}

export const bookingsArguments = z
  .object({
    positionals: z.tuple([], { error: 'takes no positional arguments' }),
    flags: z.strictObject({
      status: z.enum(BOOKING_STATUSES).optional(),
      property: objectIdHex.optional(),
      owner: objectIdHex.optional(),
      traveler: objectIdHex.optional(),
      'check-in-from': instantArgument.optional(),
      'check-in-to': instantArgument.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(50),
    }),
  })
  .transform(({ flags }): BookingListOptions => ({
    status: flags.status,
    propertyId: flags.property,
    ownerId: flags.owner,
    travelerId: flags.traveler,
    checkInFrom: flags['check-in-from'],
    checkInTo: flags['check-in-to'],
    limit: flags.limit,
  }));

export const BOOKINGS_USAGE = `bookings [--status S] [--property ID] [--owner ID] [--traveler ID] [--check-in-from ISO] [--check-in-to ISO] [--limit N]
  Lists booking workflows through Temporal visibility, newest first (default limit 50).
  Status: ${BOOKING_STATUSES.join(', ')}. Check-in bounds are inclusive-exclusive: from <= CheckIn < to.`;

/** Builds the visibility query from validated options only. Pure, so it is unit-tested. */
export function bookingVisibilityQuery(options: Omit<BookingListOptions, 'limit'>): string {
  const clauses = [`WorkflowType = "bookingWorkflow"`];
  const keyword = (name: string, value: string | undefined) => {
    if (value !== undefined) clauses.push(`${name} = "${value}"`);
  };
  keyword(searchAttributes.bookingStatus.name, options.status);
  keyword(searchAttributes.propertyId.name, options.propertyId);
  keyword(searchAttributes.ownerId.name, options.ownerId);
  keyword(searchAttributes.travelerId.name, options.travelerId);
  const checkIn = searchAttributes.checkIn.name;
  if (options.checkInFrom) clauses.push(`${checkIn} >= "${options.checkInFrom.toISOString()}"`);
  if (options.checkInTo) clauses.push(`${checkIn} < "${options.checkInTo.toISOString()}"`);
  return clauses.join(' AND ');
}

export interface BookingListRow {
  workflowId: string;
  status?: string;
  propertyId?: string;
  propertyName?: string;
  checkIn?: string;
  startTime: string;
  workflowStatus: string;
}

function toRow(info: WorkflowExecutionInfo): BookingListRow {
  const sa = info.typedSearchAttributes;
  const propertyName = info.memo?.propertyName;
  return {
    workflowId: info.workflowId,
    status: sa.get(searchAttributes.bookingStatus),
    propertyId: sa.get(searchAttributes.propertyId),
    propertyName: typeof propertyName === 'string' ? propertyName : undefined,
    checkIn: sa.get(searchAttributes.checkIn)?.toISOString().slice(0, 10),
    startTime: info.startTime.toISOString(),
    workflowStatus: info.status.name,
  };
}

export async function listBookings(
  temporal: Client,
  options: BookingListOptions,
): Promise<{ query: string; bookings: BookingListRow[] }> {
  const query = bookingVisibilityQuery(options);
  const bookings: BookingListRow[] = [];
  for await (const info of temporal.workflow.list({
    query,
    pageSize: Math.min(options.limit, 100),
  })) {
    bookings.push(toRow(info));
    if (bookings.length >= options.limit) break;
  }
  return { query, bookings };
}

/** Aligned columns, one booking per line. */
export function formatBookingList(rows: BookingListRow[]): string {
  const columns: [string, (r: BookingListRow) => string][] = [
    ['WORKFLOW ID', (r) => r.workflowId],
    ['STATUS', (r) => r.status ?? '-'],
    ['PROPERTY', (r) => r.propertyId ?? '-'],
    ['CHECK-IN', (r) => r.checkIn ?? '-'],
    ['STARTED', (r) => r.startTime.slice(0, 19).replace('T', ' ')],
    ['PROPERTY NAME', (r) => r.propertyName ?? '-'],
  ];
  const cells = [
    columns.map(([title]) => title),
    ...rows.map((r) => columns.map(([, get]) => get(r))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
