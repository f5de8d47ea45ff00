/**
 * Every schema of the HTTP API, requests and answers, in one place. The route definitions
 * (`createRoute` in api/routes/*) refer to these; @hono/zod-openapi turns them into the OpenAPI
 * document, and the named ones (`.openapi('Booking')`) into its `components.schemas`. The
 * answers describe exactly what the services return (services/*: `bookingView`, `propertyView`,
 * `profileView`, ...): a field a view may leave `undefined` is optional, since JSON omits it.
 */
import { z } from '@hono/zod-openapi';
import { BOOKING_STATUSES, DECISION_STATUSES } from '../domain/booking-status.js';
import { OBJECT_ID_HEX } from '../domain/ids.js';
import { DEFAULT_PHOTO_SIZE, MAX_PHOTOS_PER_PROPERTY, PHOTO_SIZES } from '../domain/photos.js';
import {
  MAX_CALENDAR_DAYS,
  STAY_PROBLEM_MESSAGES,
  countNights,
  startOfDayUtc,
  stayProblem,
} from '../domain/stay.js';
import { commaSeparated, hasForbiddenCharacters } from '../domain/text.js';
import { PROPERTY_SORTS } from '../services/properties.js';
import { TripPlan as TripPlanSchema } from '../agent/contract.js';

// ---------------------------------------------------------------------------------------------
// Building blocks of requests
// ---------------------------------------------------------------------------------------------

export const FORBIDDEN_CHARACTERS = 'must not contain control or bidirectional-override characters';

/** One line of text a person types (a name, a city): trimmed, no control characters. */
export const lineText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((text) => !hasForbiddenCharacters(text), FORBIDDEN_CHARACTERS);

/** Text that may run over several lines (a description, a reason): tabs and line breaks too. */
export const paragraphText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((text) => !hasForbiddenCharacters(text, { multiline: true }), FORBIDDEN_CHARACTERS);

/** A token or key a program generated: 1 to `max` printable ASCII characters, no spaces. */
export const printableToken = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** A link to a web page or picture: http(s) only, never `javascript:` or `data:`. */
export const webUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

export const objectIdParam = z.string().regex(OBJECT_ID_HEX, 'must be a 24-character hex id');

/** A calendar date: `YYYY-MM-DD` or an ISO instant at UTC midnight. */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T00:00:00(\.000)?Z)?$/, 'must be YYYY-MM-DD or a UTC-midnight instant')
  // A day that does not exist (2031-02-30) must not silently roll over into the next month.
  .refine((text) => {
    const date = new Date(`${text.slice(0, 10)}T00:00:00.000Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text.slice(0, 10);
  }, 'is not a real date')
  .transform((text) => new Date(`${text.slice(0, 10)}T00:00:00.000Z`));

/** `page` (from 1) and `limit` (1-100) of every paginated list; query strings are coerced. */
export const pageQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

// ---------------------------------------------------------------------------------------------
// Path parameters and headers (validated by @hono/zod-openapi; see `refuseInvalidInput`)
// ---------------------------------------------------------------------------------------------

/** `:id` of a property, booking or notification. */
export const IdParams = z.object({ id: objectIdParam });

/** `:file` of the interactive documentation's static files. */
export const FileParams = z.object({ file: z.string() });

export const IdempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 printable characters')
    .optional()
    .openapi({ description: 'Retries with the same key return the same booking' }),
});

// ---------------------------------------------------------------------------------------------
// Request bodies and queries
// ---------------------------------------------------------------------------------------------

// The pattern zod checks, documented too (the generator would say only `format: email`).
const email = z.email().max(254).openapi({ pattern: z.regexes.email.source });
const password = z.string().min(8).max(200);
export const credentials = z.strictObject({ email, password });
export const signUpBody = credentials.extend({
  name: lineText(100).min(1),
  role: z.enum(['traveler', 'owner']),
});
export const roleForcedSignUpBody = signUpBody.omit({ role: true });

/** Profile fields only: email, role and password are unknown keys here, hence a 400. */
export const profileBody = z
  .strictObject({
    name: lineText(100).min(1),
    phone: z
      .string()
      .trim()
      .max(32)
      .regex(/^[+0-9 ().-]*$/, 'may hold only digits, spaces, +, -, . and parentheses'),
    bio: paragraphText(2000),
    // Empty clears the picture; otherwise only web addresses (no `javascript:` or `data:`).
    avatarUrl: z.union([z.literal(''), webUrl]),
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to change');

export const resetRequestBody = z.strictObject({ email });
export const resetConfirmBody = z.strictObject({
  token: printableToken(200),
  newPassword: password,
});

const money = z.number().finite().nonnegative().max(1_000_000);
const count = (max: number) => z.number().int().min(0).max(max);

export const propertyBody = z.strictObject({
  name: lineText(200).min(1),
  type: lineText(50).min(1),
  description: paragraphText(5000).optional(),
  address: lineText(300).optional(),
  city: lineText(100).min(1),
  state: lineText(100).optional(),
  country: lineText(100).min(1),
  zipcode: lineText(20).optional(),
  bedrooms: count(100),
  bathrooms: count(100),
  maxGuests: z.number().int().min(1).max(100),
  amenities: z.array(lineText(50).min(1)).max(100).optional(),
  images: z.array(webUrl).max(50).optional(),
  pricePerNight: money.positive(),
  cleaningFee: money.optional(),
  serviceFee: money.optional(),
  available: z.boolean().optional(),
});

/** Any subset of a listing's fields, with the same rules; an edit that changes nothing is refused. */
export const propertyChangesBody = propertyBody
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'send at least one field to change');

// Query values arrive as strings: numbers are coerced, then held to the same bounds as listings.
// Their type is documented explicitly: the generator would call a coerced number whose bounds
// admit 0 nullable (`Number(null)` is 0), and an explicit type replaces the generated schema.
const queryNumber = (type: 'number' | 'integer', minimum: number, maximum: number) => {
  const coerced = z.coerce.number().min(minimum).max(maximum);
  return (type === 'integer' ? coerced.int() : coerced).openapi({ type, minimum, maximum });
};
const queryMoney = queryNumber('number', 0, 1_000_000);
const queryCount = (min: number) => queryNumber('integer', min, 100);

const searchFields = z.strictObject({
  city: z.string().trim().min(1).max(100).optional(),
  minPrice: queryMoney.optional(),
  maxPrice: queryMoney.optional(),
  guests: queryCount(1).optional(),
  type: z.string().trim().min(1).max(50).optional(),
  amenities: z
    .string()
    .max(2000)
    .transform(commaSeparated)
    .pipe(z.array(z.string().max(50)).min(1, 'name at least one amenity').max(20))
    .optional()
    .openapi({ description: 'Comma-separated; the property must offer every one' }),
  bedrooms: queryCount(0).optional(),
  checkIn: calendarDate.optional(),
  checkOut: calendarDate.optional(),
  sort: z.enum(PROPERTY_SORTS).default('newest'),
  ...pageQuery.shape,
});

/** Rules across parameters: a price range that is not empty, and a stay that could be booked. */
function checkSearchCombinations(
  query: z.output<typeof searchFields>,
  ctx: z.RefinementCtx<z.output<typeof searchFields>>,
) {
  const { minPrice, maxPrice, checkIn, checkOut } = query;
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    ctx.addIssue({ code: 'custom', path: ['minPrice'], message: 'must not exceed maxPrice' });
  }
  if (!checkIn !== !checkOut) {
    ctx.addIssue({ code: 'custom', path: ['checkOut'], message: 'give both checkIn and checkOut' });
  } else if (checkIn && checkOut) {
    // The same rules as a booking request, so the nights to look up stay bounded (90 at most).
    const problem = stayProblem({ checkIn, checkOut }, new Date());
    if (problem) {
      ctx.addIssue({ code: 'custom', path: ['checkOut'], message: STAY_PROBLEM_MESSAGES[problem] });
    }
  }
}

export const propertySearchQuery = searchFields.superRefine(checkSearchCombinations, {
  // Only once every parameter is valid on its own: a date that failed to parse is still text.
  when: (payload) => payload.issues.length === 0,
});

export const bookingRequestBody = z.strictObject({
  propertyId: objectIdParam,
  checkIn: calendarDate,
  checkOut: calendarDate,
  guests: z.number().int().min(1).max(100),
});

/** `:id` of a property and `:photoId` of one of its photos. */
export const PropertyPhotoParams = z.object({ id: objectIdParam, photoId: objectIdParam });
export const PhotoIdParams = z.object({ photoId: objectIdParam });

export const photoSizeQuery = z.strictObject({
  size: z
    .enum(PHOTO_SIZES)
    .default(DEFAULT_PHOTO_SIZE)
    .openapi({ description: 'thumb: 320 wide, card: 800 wide, full: at most 2048 a side' }),
});

/** A multipart upload of one image in the field `photo`, recognised by its content. */
export const photoUploadBody = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: z
        .object({
          photo: z.string().openapi({
            type: 'string',
            format: 'binary',
            description: 'A JPEG, PNG or WebP image of at most 10 MiB and 40 megapixels',
          }),
        })
        .openapi('PhotoUpload'),
    },
  },
};

export const photoOrderBody = z.strictObject({
  photoIds: z
    .array(objectIdParam)
    .max(MAX_PHOTOS_PER_PROPERTY)
    .openapi({ description: "Every one of the property's photo ids once; the first is the cover" }),
});

/** A stay to price: the same fields as a booking request, in the query. */
export const stayQuoteQuery = z.strictObject({
  checkIn: calendarDate,
  checkOut: calendarDate,
  guests: queryCount(1),
});

const calendarRange = z.strictObject({
  from: calendarDate.optional().openapi({ description: 'First day shown; default today (UTC)' }),
  to: calendarDate
    .optional()
    .openapi({ description: `Last day shown, included; default 90 days from \`from\`` }),
});

/** At most a year of days, and never a range that ends before it starts. */
export const calendarQuery = calendarRange.superRefine(
  ({ from, to }, ctx) => {
    if (!to) return;
    const first = from ?? startOfDayUtc(new Date());
    if (to.getTime() < first.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    } else if (countNights({ checkIn: first, checkOut: to }) + 1 > MAX_CALENDAR_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `a calendar covers at most ${MAX_CALENDAR_DAYS} days`,
      });
    }
  },
  { when: (payload) => payload.issues.length === 0 },
);

export const PropertyIdParams = z.object({ propertyId: objectIdParam });

export const bookingListQuery = z.strictObject({
  ...pageQuery.shape,
  status: z
    .string()
    .max(200)
    .transform(commaSeparated)
    .pipe(z.array(z.enum(BOOKING_STATUSES)).min(1, 'name at least one status'))
    .optional()
    .openapi({
      description: 'One status, or several comma-separated: `CANCELLED,REJECTED,EXPIRED`',
    }),
  sort: z.enum(['newest', 'oldest', 'check_in', 'price_desc']).default('newest'),
});

export const incomingBookingsQuery = z.strictObject({
  ...bookingListQuery.shape,
  propertyId: objectIdParam.optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Part of the guest's or the property's name, any case" }),
});

export const decisionBody = z.strictObject({ reason: paragraphText(1000).optional() });

export const notificationListQuery = z.strictObject({
  ...pageQuery.shape,
  unread: z.enum(['true', 'false']).optional(),
});

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

const id = z.string().regex(OBJECT_ID_HEX);
/** An instant as `Date.toISOString()` writes it. */
const instant = z.iso.datetime();
const pageFields = {
  page: z.number().int().min(1),
  limit: z.number().int().min(1),
  total: z.number().int().min(0).openapi({ description: "Every match, not only this page's" }),
};

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z
        .unknown()
        .optional()
        .openapi({
          description:
            'What went wrong in detail: for validation_failed a list of {path, message}; for others, e.g. ' +
            '{conflictingNights}, {earliestCheckIn} or {retryAfterSeconds}',
        }),
    }),
  })
  .openapi('Error');

export const Health = z.object({ status: z.literal('ok') }).openapi('Health');

/** The OpenAPI document itself, loosely: its required top-level fields. */
export const OpenApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .openapi('OpenApiDocument');

export const User = z
  .object({
    id,
    email: z.string(),
    name: z.string(),
    role: z.enum(['traveler', 'owner']),
  })
  .openapi('User');

export const Profile = User.extend({
  phone: z.string(),
  bio: z.string(),
  avatarUrl: z.string(),
}).openapi('Profile');

export const SessionOpened = z
  .object({
    user: User,
    token: z.string().openapi({ description: 'Also set as the httpOnly staysaga_session cookie' }),
    expiresAt: instant,
  })
  .openapi('SessionOpened');

export const Me = z.object({ user: User }).openapi('Me');
export const ProfileAnswer = z.object({ profile: Profile }).openapi('ProfileAnswer');

export const ResetRequested = z
  .object({ status: z.literal('accepted'), message: z.string() })
  .openapi('ResetRequested');

const photoUrlsSchema = z.object({ thumb: z.string(), card: z.string(), full: z.string() });

export const Photo = z
  .object({
    id,
    width: z.number().int().openapi({ description: 'Of the full size' }),
    height: z.number().int(),
    urls: photoUrlsSchema,
  })
  .openapi('Photo');

export const PhotoList = z.object({ photos: z.array(Photo) }).openapi('PhotoList');
export const PhotoAdded = z.object({ photo: Photo, photos: z.array(Photo) }).openapi('PhotoAdded');

export const Property = z
  .object({
    id,
    ownerId: id,
    name: z.string(),
    type: z.string(),
    description: z.string(),
    address: z.string(),
    city: z.string(),
    state: z.string(),
    country: z.string(),
    zipcode: z.string(),
    bedrooms: z.number().int(),
    bathrooms: z.number().int(),
    maxGuests: z.number().int(),
    amenities: z.array(z.string()),
    images: z.array(z.string()),
    pricePerNight: z.number(),
    cleaningFee: z.number(),
    serviceFee: z.number(),
    available: z.boolean(),
    photos: z
      .array(Photo)
      .openapi({ description: 'Uploaded photos, in order; the first is the cover' }),
    coverPhotoUrl: z.string().nullable().openapi({ description: 'The first photo, card size' }),
    isFavorite: z
      .boolean()
      .openapi({ description: 'One of my favorites (false when signed out or an owner)' }),
  })
  .openapi('Property');

export const PropertyAnswer = z.object({ property: Property }).openapi('PropertyAnswer');
export const PropertyWithHostAnswer = z
  .object({
    property: Property.extend({
      host: z
        .object({ name: z.string(), avatarUrl: z.string(), memberSince: instant })
        .nullable()
        .openapi({ description: "The owner's public card; null if the account is gone" }),
    }),
  })
  .openapi('PropertyWithHostAnswer');
export const OwnerListing = Property.extend({
  pendingBookings: z
    .number()
    .int()
    .min(0)
    .openapi({ description: 'Requests awaiting my decision' }),
  upcomingBookings: z.number().int().min(0).openapi({ description: 'Accepted stays not over yet' }),
}).openapi('OwnerListing');
export const OwnerListingList = z
  .object({ properties: z.array(OwnerListing) })
  .openapi('OwnerListingList');
export const PropertyPage = z
  .object({ properties: z.array(Property), ...pageFields })
  .openapi('PropertyPage');

export const FavoritePage = z
  .object({
    favorites: z.array(z.object({ savedAt: instant, property: Property })),
    ...pageFields,
  })
  .openapi('FavoritePage');

export const StayQuote = z
  .object({
    propertyId: id,
    checkIn: z.iso.date(),
    checkOut: z.iso.date(),
    guests: z.number().int().min(1),
    currency: z.string().length(3).openapi({ description: 'ISO 4217 code of every amount' }),
    nights: z.number().int().min(1),
    pricePerNight: z.number(),
    subtotal: z.number().openapi({ description: 'nights × pricePerNight' }),
    cleaningFee: z.number(),
    serviceFee: z.number(),
    totalPrice: z.number().openapi({ description: 'subtotal + cleaningFee + serviceFee' }),
    nightsFree: z.boolean().openapi({ description: 'Every night of the stay is free right now' }),
    conflictingNights: z.array(z.iso.date()).openapi({ description: 'The nights already taken' }),
  })
  .openapi('StayQuote');

export const PropertyCalendar = z
  .object({
    propertyId: id,
    from: z.iso.date(),
    to: z.iso.date(),
    available: z.boolean().openapi({ description: 'The listing takes bookings at all' }),
    firstCheckIn: z.iso.date().openapi({ description: 'Earliest check-in a request may have now' }),
    lastCheckIn: z.iso.date().openapi({ description: 'Latest check-in a request may have now' }),
    days: z.array(z.object({ date: z.iso.date(), status: z.enum(['free', 'taken']) })),
  })
  .openapi('PropertyCalendar');

export const BookedDates = z
  .object({ propertyId: id, bookedNights: z.array(z.iso.date()) })
  .openapi('BookedDates');

// Not a named component: the generator would document `BookingStatus.nullable()` as the
// reference AND a string-or-null type, which `null` cannot satisfy.
const BookingStatus = z.enum(BOOKING_STATUSES);

/** Who caused a transition (domain/booking-history.ts `Actor`). */
const Actor = z
  .object({
    role: z.enum(['owner', 'traveler', 'system']),
    userId: z.string().optional(),
  })
  .openapi('Actor');

/** Where a decision came from (domain/booking-history.ts `DecisionSource`). */
const DecisionSource = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('kafka'),
      topic: z.string(),
      partition: z.number().int(),
      offset: z.string(),
    }),
    z.object({ kind: z.literal('api') }),
    z.object({ kind: z.literal('timer') }),
  ])
  .openapi('DecisionSource');

export const BookingTransition = z
  .object({
    from: BookingStatus.nullable(),
    to: BookingStatus,
    at: instant,
    actor: Actor,
    reason: z.string().optional(),
    eventId: z.string().optional(),
    source: DecisionSource,
  })
  .openapi('BookingTransition');

export const Booking = z
  .object({
    id,
    propertyId: id,
    propertyName: z.string(),
    ownerId: id,
    travelerId: id,
    travelerName: z.string(),
    checkIn: instant,
    checkOut: instant,
    guests: z.number().int(),
    nights: z.number().int(),
    pricePerNight: z.number(),
    cleaningFee: z.number(),
    serviceFee: z.number(),
    totalPrice: z.number(),
    status: BookingStatus,
    ownerDecisionDeadline: instant,
    history: z.array(BookingTransition),
    createdAt: instant.optional(),
  })
  .openapi('Booking');

type BookingJson = z.input<typeof Booking>;

/**
 * A booking view (services/booking-views.ts) as the API documents it. The view's static type is
 * the Mongo model's: history statuses as plain strings, the actor's fields nullable, the source
 * `unknown`. What the history holds is the domain's `TransitionRecord` (domain/booking-history.ts),
 * which only the booking workflow writes; this is the one place the API takes that on trust
 * (schemathesis' response-schema check verifies it against the running system).
 */
export function documentedBooking<B extends { history: unknown[] }>(booking: B) {
  return booking as Omit<B, 'history'> & Pick<BookingJson, 'history'>;
}

/** A page of booking views, as documented (see `documentedBooking`). */
export function documentedBookingPage<P extends { bookings: { history: unknown[] }[] }>(page: P) {
  type View = P['bookings'][number];
  return page as Omit<P, 'bookings'> & {
    bookings: (Omit<View, 'history'> & Pick<BookingJson, 'history'>)[];
  };
}

export const BookingAnswer = z.object({ booking: Booking }).openapi('BookingAnswer');
export const BookingPage = z
  .object({ bookings: z.array(Booking), ...pageFields })
  .openapi('BookingPage');

export const DecisionAccepted = z
  .object({
    decision: z.object({
      bookingId: id,
      requestedStatus: z.enum(DECISION_STATUSES),
      eventId: z.uuid(),
    }),
  })
  .openapi('DecisionAccepted');

const StatusTotals = z
  .object({ count: z.number().int().min(0), revenue: z.number() })
  .openapi('StatusTotals');

export const BookingStats = z
  .object({
    byStatus: z.object({
      PENDING: StatusTotals,
      ACCEPTED: StatusTotals,
      REJECTED: StatusTotals,
      EXPIRED: StatusTotals,
      CANCELLED: StatusTotals,
      COMPLETED: StatusTotals,
    } satisfies Record<(typeof BOOKING_STATUSES)[number], typeof StatusTotals>),
    total: z.number().int().min(0),
    confirmedRevenue: z
      .number()
      .openapi({ description: 'Revenue of accepted (upcoming) and completed stays' }),
  })
  .openapi('BookingStats');

export const MonthlyRevenue = z
  .object({
    currency: z.string().length(3),
    months: z.array(
      z.object({
        month: z.string().regex(/^\d{4}-\d{2}$/),
        bookings: z.number().int().min(0),
        revenue: z.number(),
      }),
    ),
  })
  .openapi('MonthlyRevenue');

export const Notification = z
  .object({
    id,
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    bookingId: id.optional(),
    read: z.boolean(),
    createdAt: instant.optional(),
  })
  .openapi('Notification');

export const NotificationPage = z
  .object({
    notifications: z.array(Notification),
    ...pageFields,
    unread: z
      .number()
      .int()
      .min(0)
      .openapi({ description: 'Unread notifications in all, whatever the filter' }),
  })
  .openapi('NotificationPage');

export const Marked = z.object({ marked: z.number().int().min(0) }).openapi('Marked');

// ---------------------------------------------------------------------------------------------
// The trip planner (docs/agent.md)
// ---------------------------------------------------------------------------------------------

export const tripPreferencesBody = z
  .strictObject({
    budget: z.enum(['low', 'medium', 'high']).optional(),
    interests: z.array(lineText(40).min(1)).max(8).optional(),
    diet: lineText(100).optional(),
    mobility: lineText(100).optional(),
  })
  .openapi('TripPreferences');

export const planRequestBody = z.strictObject({
  bookingId: objectIdParam,
  preferences: tripPreferencesBody.optional(),
});

export const chatRequestBody = z.strictObject({
  bookingId: objectIdParam.optional().openapi({
    description: 'The trip the conversation is about (one of mine, PENDING or ACCEPTED)',
  }),
  messages: z
    .array(
      z.strictObject({
        role: z.enum(['user', 'assistant']),
        content: paragraphText(2000).min(1),
      }),
    )
    .min(1)
    .max(20)
    .refine((list) => list.at(-1)?.role === 'user', 'the last message must be the user’s'),
});

// agent/contract.ts is plain zod (the agent does not document routes): the plan is inlined.
export const TripPlanAnswer = z.object({ plan: TripPlanSchema }).openapi('TripPlanAnswer');
