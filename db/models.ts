/**
 * Mongo collections. `users`, `properties`, `bookings` and `sessions` are the seed's; the night
 * ledger, notifications and idempotency keys are ours. Money is always a Number.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { BOOKING_STATUSES } from '../domain/booking-status.js';

const { model } = mongoose;
const objectId = Schema.Types.ObjectId;

const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: ['traveler', 'owner'], required: true },
    phone: { type: String, default: '' },
    bio: { type: String, default: '' },
    avatarUrl: { type: String, default: '' },
    // The uploaded avatar (a `photos` document) that `avatarUrl` shows, when it is one.
    avatarPhotoId: { type: objectId },
  },
  { timestamps: true, collection: 'users' },
);
// One account per email, whatever the role.
userSchema.index({ email: 1 }, { unique: true });
export const User = model('User', userSchema);
export type UserDoc = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };

/**
 * One log-in session. `_id` is the SHA-256 of the bearer token, so resolving a token on every
 * authenticated request is a primary-key read (FerretDB serves no other filter from an index).
 */
const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: objectId, required: true },
    role: { type: String, enum: ['traveler', 'owner'], required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'sessions' },
);
sessionSchema.index({ userId: 1 });
sessionSchema.index({ expiresAt: 1 });
export const Session = model('Session', sessionSchema);

/**
 * One outstanding password-reset token. `_id` is the SHA-256 of the token (the token itself is
 * only ever in the message sent to the account holder), so the lookup needs no extra index.
 * Using the token deletes this document: a delete is the one conditional write whose count
 * FerretDB 1.x reports exactly (its updates are a read then a write), so of two concurrent
 * confirms only one can win on either server.
 */
const passwordResetSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: objectId, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'password_resets' },
);
export const PasswordReset = model('PasswordReset', passwordResetSchema);

/**
 * Log-in attempts of one email from one client since the last success, in a fixed window that
 * starts at the first of them. `_id` is `${emailLower}|${clientIp}` so every API replica counts
 * into one document.
 */
const loginAttemptSchema = new Schema(
  {
    _id: { type: String, required: true },
    attempts: { type: Number, required: true },
    windowStartedAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'login_attempts' },
);
export const LoginAttempt = model('LoginAttempt', loginAttemptSchema);

/**
 * A browser that logged in to an account before: its `staysaga_device` cookie holds a random
 * token whose SHA-256 is `_id`. Log-ins from a trusted device are throttled per device, so
 * someone guessing passwords from the same network cannot lock the account holder out.
 */
const trustedDeviceSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: objectId, required: true },
    email: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'trusted_devices' },
);
trustedDeviceSchema.index({ expiresAt: 1 });
export const TrustedDevice = model('TrustedDevice', trustedDeviceSchema);

/** One uploaded photo in a listing's ordered list: its `photos` document and full size. */
const listedPhotoSchema = new Schema(
  {
    id: { type: objectId, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
  },
  { _id: false },
);

const propertySchema = new Schema(
  {
    ownerId: { type: objectId, required: true },
    name: { type: String, required: true },
    type: { type: String, required: true },
    description: { type: String, default: '' },
    address: { type: String, default: '' },
    city: { type: String, required: true },
    cityLower: { type: String, required: true },
    state: { type: String, default: '' },
    country: { type: String, required: true },
    zipcode: { type: String, default: '' },
    bedrooms: { type: Number, required: true },
    bathrooms: { type: Number, required: true },
    maxGuests: { type: Number, required: true },
    amenities: { type: [String], default: [] },
    images: { type: [String], default: [] },
    pricePerNight: { type: Number, required: true },
    cleaningFee: { type: Number, default: 0 },
    serviceFee: { type: Number, default: 0 },
    available: { type: Boolean, default: true },
    // Uploaded photos, in the owner's order (the first is the cover); changed only as a whole,
    // guarded by photosVersion (db/photos.ts).
    photos: { type: [listedPhotoSchema], default: [] },
    photosVersion: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'properties' },
);
// Which query uses which index (edit and delete go by `_id`):
// - an owner's listings, newest first: { ownerId, createdAt }
// - search by city (anchored prefix regex on cityLower), price range or price sort within it:
//   { available, cityLower, pricePerNight }
// - search without a city, default order `newest`: { available, createdAt }
// - search without a city by price range or `price_asc`/`price_desc`: { available, pricePerNight }
// - search by amenities ($all; the multikey index bounds it by the first one): { available, amenities }
// guests, bedrooms, type and the free-dates `$nin` filter the documents these indexes find.
propertySchema.index({ ownerId: 1, createdAt: -1 });
propertySchema.index({ available: 1, cityLower: 1, pricePerNight: 1 });
propertySchema.index({ available: 1, createdAt: -1 });
propertySchema.index({ available: 1, pricePerNight: 1 });
propertySchema.index({ available: 1, amenities: 1 });
export const Property = model('Property', propertySchema);
export type PropertyDoc = InferSchemaType<typeof propertySchema> & {
  _id: mongoose.Types.ObjectId;
};

const transitionSchema = new Schema(
  {
    from: { type: String, default: null },
    to: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { role: String, userId: String },
    reason: String,
    eventId: String,
    source: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

const bookingSchema = new Schema(
  {
    _id: { type: objectId, required: true },
    propertyId: { type: objectId, required: true },
    propertyName: { type: String, required: true },
    ownerId: { type: objectId, required: true },
    travelerId: { type: objectId, required: true },
    travelerName: { type: String, required: true },
    checkIn: { type: Date, required: true },
    checkOut: { type: Date, required: true },
    guests: { type: Number, required: true },
    nights: { type: Number, required: true },
    pricePerNight: { type: Number, required: true },
    cleaningFee: { type: Number, required: true },
    serviceFee: { type: Number, required: true },
    totalPrice: { type: Number, required: true },
    status: { type: String, enum: BOOKING_STATUSES, required: true },
    ownerDecisionDeadline: { type: Date, required: true },
    history: { type: [transitionSchema], default: [] },
    ignoredDecisions: { type: [Schema.Types.Mixed], default: [] },
  },
  { timestamps: true, collection: 'bookings' },
);
bookingSchema.index({ travelerId: 1, createdAt: -1 });
bookingSchema.index({ ownerId: 1, status: 1, createdAt: -1 });
bookingSchema.index({ propertyId: 1, status: 1 });
export const Booking = model('Booking', bookingSchema);
export type BookingDoc = InferSchemaType<typeof bookingSchema>;

/**
 * The night ledger: one document per held night, keyed by property and night. The `_id` makes
 * a second hold of the same night fail atomically in the database, so two live bookings can
 * never hold one night even when their requests race.
 */
const nightHoldSchema = new Schema(
  {
    _id: { type: String, required: true },
    propertyId: { type: objectId, required: true },
    night: { type: String, required: true },
    bookingId: { type: objectId, required: true },
  },
  { timestamps: true, collection: 'night_holds' },
);
nightHoldSchema.index({ bookingId: 1 }); // release a booking's nights
nightHoldSchema.index({ propertyId: 1, night: 1 }); // booked dates of a property
nightHoldSchema.index({ night: 1, propertyId: 1 }); // search: properties with a held night in a range
export const NightHold = model('NightHold', nightHoldSchema);
export type NightHoldDoc = InferSchemaType<typeof nightHoldSchema>;

const notificationSchema = new Schema(
  {
    userId: { type: objectId, required: true },
    // What caused it (an eventId or booking transition): a redelivered cause notifies once.
    causeKey: { type: String, required: true },
    kind: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    bookingId: { type: objectId },
    read: { type: Boolean, default: false },
  },
  { timestamps: true, collection: 'notifications' },
);
notificationSchema.index({ userId: 1, causeKey: 1 }, { unique: true });
notificationSchema.index({ userId: 1, createdAt: -1 });
export const Notification = model('Notification', notificationSchema);
export type NotificationDoc = InferSchemaType<typeof notificationSchema>;

/**
 * An email owed: queued with its in-app notification, keyed by a hash of (user, cause), and
 * deleted by the sender that takes it. It holds only what is still to be sent, so the sender's
 * scan for due entries stays small on FerretDB (which serves no filter but `_id` from an index).
 */
const emailOutboxSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: objectId, required: true },
    kind: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    attempts: { type: Number, required: true },
    notBefore: { type: Date, required: true },
  },
  { timestamps: true, collection: 'email_outbox' },
);
emailOutboxSchema.index({ notBefore: 1 });
export const EmailOutbox = model('EmailOutbox', emailOutboxSchema);
export type EmailOutboxDoc = InferSchemaType<typeof emailOutboxSchema> & { _id: string };

/**
 * An owner decision the API issued, recorded before it is published on `booking-updates`, keyed
 * by its eventId. The broker cannot say who produced a message; this record can: `npm run ops --
 * audit` tells a decision that came through the API from one that only appeared on the topic.
 */
const issuedDecisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    bookingId: { type: objectId, required: true },
    ownerId: { type: objectId, required: true },
    status: { type: String, required: true },
    issuedAt: { type: Date, required: true },
  },
  { collection: 'issued_decisions' },
);
export const IssuedDecision = model('IssuedDecision', issuedDecisionSchema);
export type IssuedDecisionDoc = InferSchemaType<typeof issuedDecisionSchema>;

/** `Idempotency-Key` of a booking request, scoped to the traveler who sent it. */
const idempotencyKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    bookingId: { type: objectId, required: true },
    fingerprint: { type: String, required: true },
  },
  { timestamps: true, collection: 'idempotency_keys' },
);
export const IdempotencyKey = model('IdempotencyKey', idempotencyKeySchema);

/**
 * One of a traveler's numbered PENDING-request slots: `t:<travelerId>:<n>` overall and
 * `p:<travelerId>:<propertyId>:<n>` per listing. Taking a slot is inserting its `_id`, which
 * fails atomically when it is taken, so racing requests can never exceed the caps.
 */
const pendingRequestSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    bookingId: { type: objectId, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'pending_request_slots' },
);
export const PendingRequestSlot = model('PendingRequestSlot', pendingRequestSlotSchema);
export type PendingRequestSlotDoc = InferSchemaType<typeof pendingRequestSlotSchema>;

/**
 * A traveler's favorite listing. `_id` is `${travelerId}:${propertyId}`, so marking one twice
 * is the same insert (idempotent) and asking "is this one a favorite?" is a primary-key read.
 */
const favoriteSchema = new Schema(
  {
    _id: { type: String, required: true },
    travelerId: { type: objectId, required: true },
    propertyId: { type: objectId, required: true },
  },
  { timestamps: true, collection: 'favorites' },
);
favoriteSchema.index({ travelerId: 1, createdAt: -1 }); // a traveler's favorites, newest first
favoriteSchema.index({ propertyId: 1 }); // forgotten with the property
export const Favorite = model('Favorite', favoriteSchema);
export type FavoriteDoc = InferSchemaType<typeof favoriteSchema> & { _id: string };

/**
 * An uploaded photo (of a listing or an avatar): the GridFS file of each size, with its
 * dimensions and the SHA-256 of its bytes (the ETag), so a conditional GET reads nothing else.
 */
const photoSizeSchema = new Schema(
  {
    fileId: { type: objectId, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    bytes: { type: Number, required: true },
    sha256: { type: String, required: true },
  },
  { _id: false },
);
const photoSchema = new Schema(
  {
    kind: { type: String, enum: ['property', 'avatar'], required: true },
    propertyId: { type: objectId },
    userId: { type: objectId, required: true },
    contentType: { type: String, required: true },
    sizes: {
      thumb: { type: photoSizeSchema, required: true },
      card: { type: photoSizeSchema, required: true },
      full: { type: photoSizeSchema, required: true },
    },
  },
  { timestamps: true, collection: 'photos' },
);
photoSchema.index({ propertyId: 1 }); // the photos of a deleted listing, in-flight uploads too
export const Photo = model('Photo', photoSchema);
export type PhotoDoc = InferSchemaType<typeof photoSchema> & { _id: mongoose.Types.ObjectId };

/**
 * The image bytes, in GridFS's layout (bucket `photo_files`: `photo_files.files` and
 * `photo_files.chunks`, the indexes GridFSBucket itself creates), written and read by
 * db/photo-files.ts. The models are here for their indexes; the documents go through the driver.
 */
const photoFileSchema = new Schema(
  {
    length: Number,
    chunkSize: Number,
    uploadDate: Date,
    filename: String,
    metadata: Schema.Types.Mixed,
  },
  { collection: 'photo_files.files', versionKey: false },
);
photoFileSchema.index({ filename: 1, uploadDate: 1 });
export const PhotoFile = model('PhotoFile', photoFileSchema);

const photoChunkSchema = new Schema(
  {
    files_id: { type: objectId, required: true },
    n: { type: Number, required: true },
    data: { type: Buffer, required: true },
  },
  { collection: 'photo_files.chunks', versionKey: false },
);
photoChunkSchema.index({ files_id: 1, n: 1 }, { unique: true });
export const PhotoChunk = model('PhotoChunk', photoChunkSchema);

export const allModels = [
  User,
  Session,
  Property,
  Booking,
  NightHold,
  Notification,
  IdempotencyKey,
  PasswordReset,
  LoginAttempt,
  TrustedDevice,
  PendingRequestSlot,
  EmailOutbox,
  IssuedDecision,
  Photo,
  PhotoFile,
  PhotoChunk,
  Favorite,
];
