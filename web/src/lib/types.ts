/** The API's answers as the web app uses them, derived from the route types (never retyped). */
import type { api, SuccessOf } from './api';

type Answer<F extends (...args: never[]) => Promise<unknown>> = SuccessOf<Awaited<ReturnType<F>>>;

export type User = NonNullable<Answer<typeof api.api.auth.me.$get>>['user'];
export type Role = User['role'];
export type Profile = Answer<typeof api.api.auth.profile.$get>['profile'];
/** A listing as a search (or any list) shows it. */
export type Property = PropertyPage['properties'][number];
/** A listing on its own page: with its host's card. */
export type PropertyWithHost = Answer<(typeof api.api.properties)[':id']['$get']>['property'];
export type Photo = Property['photos'][number];
export type PropertyPage = Answer<typeof api.api.properties.$get>;
export type SearchQuery = NonNullable<Parameters<typeof api.api.properties.$get>[0]>['query'];
export type Quote = Answer<(typeof api.api.properties)[':id']['quote']['$get']>;
export type Calendar = Answer<(typeof api.api.properties)[':id']['calendar']['$get']>;
export type Booking = Answer<(typeof api.api.bookings)[':id']['$get']>['booking'];
export type BookingStatus = Booking['status'];
export type OwnerListing = Answer<typeof api.api.owners.properties.$get>['properties'][number];
export type MonthlyRevenue = Answer<typeof api.api.owners.bookings.stats.monthly.$get>;
export type NotificationPage = Answer<typeof api.api.notifications.$get>;
export type AppNotification = NotificationPage['notifications'][number];
export type PropertyInput = NonNullable<Parameters<typeof api.api.properties.$post>[0]>['json'];
export type TripPlan = Answer<typeof api.api.agent.plan.$post>['plan'];
