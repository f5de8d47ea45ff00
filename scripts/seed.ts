/**
 * `npm run seed`: demo owners, travelers and listings in the database the system uses
 * (MONGODB_URI, default the embedded server of `npm start`). Safe to run twice: accounts that
 * exist are kept. Passwords come from SEED_PASSWORD, or a fresh random one printed once.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { connectMongo, disconnectMongo } from '../db/connection.js';
import { countPropertiesOfOwner } from '../db/properties.js';
import { findUserByEmail } from '../db/users.js';
import { publicUser, signUp, type Role } from '../services/accounts.js';
import { createProperty, type PropertyInput } from '../services/properties.js';

const OWNERS = [
  { email: 'olivia.owner@staysaga.example', name: 'Olivia Martins' },
  { email: 'kenji.owner@staysaga.example', name: 'Kenji Watanabe' },
];
const TRAVELERS = [
  { email: 'tom.traveler@staysaga.example', name: 'Tom Becker' },
  { email: 'amara.traveler@staysaga.example', name: 'Amara Okafor' },
];

type Listing = Omit<PropertyInput, 'bedrooms' | 'bathrooms'> & { rooms: [number, number] };
const LISTINGS: Listing[][] = [
  [
    {
      name: 'Luxury Beach Villa',
      type: 'villa',
      city: 'Lisbon',
      country: 'Portugal',
      rooms: [4, 3],
      maxGuests: 8,
      pricePerNight: 420,
      cleaningFee: 90,
      serviceFee: 60,
      amenities: ['wifi', 'pool', 'parking', 'kitchen'],
    },
    {
      name: 'Alfama Rooftop Flat',
      type: 'apartment',
      city: 'Lisbon',
      country: 'Portugal',
      rooms: [1, 1],
      maxGuests: 2,
      pricePerNight: 95,
      cleaningFee: 25,
      serviceFee: 12,
      amenities: ['wifi', 'kitchen'],
    },
    {
      name: 'Porto Riverside Loft',
      type: 'loft',
      city: 'Porto',
      country: 'Portugal',
      rooms: [2, 1],
      maxGuests: 4,
      pricePerNight: 140,
      cleaningFee: 35,
      serviceFee: 18,
      amenities: ['wifi', 'washer'],
    },
    {
      name: 'Sintra Garden Cottage',
      type: 'cottage',
      city: 'Sintra',
      country: 'Portugal',
      rooms: [2, 2],
      maxGuests: 5,
      pricePerNight: 160,
      cleaningFee: 40,
      serviceFee: 20,
      amenities: ['wifi', 'parking', 'garden'],
    },
  ],
  [
    {
      name: 'Kyoto Machiya House',
      type: 'house',
      city: 'Kyoto',
      country: 'Japan',
      rooms: [3, 1],
      maxGuests: 6,
      pricePerNight: 260,
      cleaningFee: 60,
      serviceFee: 30,
      amenities: ['wifi', 'kitchen', 'washer'],
    },
    {
      name: 'Shibuya Studio',
      type: 'apartment',
      city: 'Tokyo',
      country: 'Japan',
      rooms: [1, 1],
      maxGuests: 2,
      pricePerNight: 120,
      cleaningFee: 30,
      serviceFee: 15,
      amenities: ['wifi'],
    },
    {
      name: 'Hakone Onsen Ryokan Suite',
      type: 'room',
      city: 'Hakone',
      country: 'Japan',
      rooms: [1, 1],
      maxGuests: 3,
      pricePerNight: 310,
      cleaningFee: 0,
      serviceFee: 35,
      amenities: ['wifi', 'hot-spring', 'breakfast'],
    },
  ],
];

let createdAccounts = 0;

async function ensureAccount(email: string, name: string, role: Role, password: string) {
  const existing = await findUserByEmail(email);
  if (existing) return publicUser(existing);
  createdAccounts += 1;
  return signUp({ email, name, role, password });
}

async function main() {
  const config = loadConfig();
  const log = createLogger('seed');
  await connectMongo(config.MONGODB_URI, log);
  const generated = !process.env.SEED_PASSWORD;
  const password = process.env.SEED_PASSWORD ?? randomBytes(9).toString('base64url');
  let listings = 0;
  for (const [i, { email, name }] of OWNERS.entries()) {
    const owner = await ensureAccount(email, name, 'owner', password);
    if ((await countPropertiesOfOwner(owner.id)) > 0) continue;
    for (const { rooms, ...listing } of LISTINGS[i] ?? []) {
      const [bedrooms, bathrooms] = rooms;
      await createProperty({ id: owner.id, role: 'owner' }, { ...listing, bedrooms, bathrooms });
      listings += 1;
    }
  }
  for (const { email, name } of TRAVELERS) await ensureAccount(email, name, 'traveler', password);
  log.info('seeded', { owners: OWNERS.length, travelers: TRAVELERS.length, newListings: listings });
  const accounts = [...OWNERS, ...TRAVELERS].map((a) => a.email).join(', ');
  const passwordLine =
    createdAccounts === 0
      ? 'They already existed: their password is unchanged.'
      : generated
        ? `Password of the ${createdAccounts} new account(s) (set SEED_PASSWORD to choose it): ${password}`
        : `Password of the ${createdAccounts} new account(s): the SEED_PASSWORD you gave.`;
  process.stdout.write(`Demo accounts: ${accounts}\n${passwordLine}\n`);
  await disconnectMongo();
}

main().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${(error as Error).message}\n`);
  process.exit(1);
});
