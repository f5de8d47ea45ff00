/**
 * Property search as the listings grow, on FerretDB's two backends (issue 15): the embedded
 * stack's SQLite (stack/mongo.ts, with the `_id`-index patch) and the cluster's PostgreSQL
 * (stack/cluster/postgres.ts + ferretdb-postgres.ts), the same FerretDB binary for both.
 *
 * For each backend, on a fresh server of its own: listings are added up to each size (the shape
 * the API load creates: four cities, the fields the API fills in), then the search the API load
 * sends (`GET /api/properties?city=<city>&guests=2&sort=price_asc&limit=20`: the service it calls,
 * find + sort + limit and countDocuments) runs one at a time, and once without a city (newest
 * first). Latency per search, and FerretDB's and PostgreSQL's CPU per search from /proc.
 *
 *   npx tsx bench/property-search.ts [--sizes 1000,10000,20000] [--searches 20]
 *                                    [--backends sqlite,postgresql]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { createLogger } from '../config/logger.js';
import { connectMongo, disconnectMongo } from '../db/connection.js';
import { Property } from '../db/models.js';
import { searchProperties } from '../services/properties.js';
import { startFerretDbOnPostgres } from '../stack/cluster/ferretdb-postgres.js';
import { startPostgres } from '../stack/cluster/postgres.js';
import { treePids } from '../stack/cluster/process-tree.js';
import { startMongoServer } from '../stack/mongo.js';
import { freePorts } from '../stack/ports.js';
import { CITIES, COUNTRY } from './api-load.js';
import { latencyStats, renderTable, writeResults, type LatencyStats } from './harness.js';
import { clockTicksPerSecond, readCpuTicks } from './process-cost.js';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const say = (line: string) => process.stdout.write(`[search-bench] ${line}\n`);

type Backend = 'sqlite' | 'postgresql';

interface Options {
  sizes: number[];
  searches: number;
  backends: Backend[];
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const list = (text: string) => text.split(',').map((v) => v.trim());
  const sizes = list(get('sizes') ?? '1000,10000,20000').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--sizes: positive ints');
  const backends = list(get('backends') ?? 'sqlite,postgresql');
  for (const b of backends) {
    if (b !== 'sqlite' && b !== 'postgresql') throw new Error(`unknown backend ${b}`);
  }
  return {
    sizes: [...sizes].sort((a, b) => a - b),
    searches: Number(get('searches') ?? 20),
    backends: backends as Backend[],
  };
}

/** A running FerretDB on one backend, and the processes whose CPU a search costs. */
interface Server {
  uri: string;
  /** Root pids: their whole trees are counted (PostgreSQL's backends are children). */
  roots: Record<string, number>;
  stop(): Promise<void>;
}

async function startBackend(backend: Backend, dataDir: string): Promise<Server> {
  const [mongoPort, pgPort] = (await freePorts(2)) as [number, number];
  if (backend === 'sqlite') {
    const mongo = await startMongoServer({
      dataDir,
      port: mongoPort,
      database: 'search',
      echo: false,
    });
    return {
      uri: mongo.uri,
      roots: { ferretdb: mongo.process.pid },
      stop: () => mongo.process.stop(),
    };
  }
  const pg = await startPostgres({
    dataDir: join(dataDir, 'postgres'),
    port: pgPort,
    user: 'bench',
    password: randomBytes(18).toString('base64url'),
  });
  say(`PostgreSQL ${pg.version} on ${pg.port}`);
  const ferret = await startFerretDbOnPostgres({
    dataDir,
    port: mongoPort,
    postgres: pg,
    mongoDatabase: 'search',
  });
  return {
    uri: ferret.uri,
    roots: { ferretdb: ferret.process.pid, postgres: pg.process.pid },
    async stop() {
      await ferret.stop();
      await pg.stop();
    },
  };
}

/** CPU ticks of every process in the trees, so a window's cost is the difference. */
function cpuTicks(roots: Record<string, number>): Record<string, Map<number, number>> {
  const out: Record<string, Map<number, number>> = {};
  for (const [name, root] of Object.entries(roots)) {
    const ticks = new Map<number, number>();
    for (const pid of treePids(root)) {
      const t = readCpuTicks(pid);
      if (t !== undefined) ticks.set(pid, t);
    }
    out[name] = ticks;
  }
  return out;
}

/** CPU-seconds per process tree between two readings (a process born in between counts whole). */
function cpuSpent(before: ReturnType<typeof cpuTicks>, after: ReturnType<typeof cpuTicks>) {
  const hz = clockTicksPerSecond();
  return Object.fromEntries(
    Object.entries(after).map(([name, ticks]) => {
      let spent = 0;
      for (const [pid, t] of ticks) spent += t - (before[name]?.get(pid) ?? 0);
      return [name, spent / hz];
    }),
  );
}

/** Listings like the API load's, `from` to `to` - 1: a quarter in each city. */
async function addListings(from: number, to: number): Promise<void> {
  const owners = Array.from({ length: 4 }, () => new mongoose.Types.ObjectId());
  for (let start = from; start < to; start += 500) {
    const docs = [];
    for (let i = start; i < Math.min(to, start + 500); i++) {
      const city = CITIES[i % CITIES.length]!;
      docs.push({
        ownerId: owners[i % owners.length],
        name: `Bench stay ${i}`,
        type: i % 2 ? 'apartment' : 'villa',
        city,
        cityLower: city.toLowerCase(),
        country: COUNTRY[city],
        bedrooms: 1 + (i % 3),
        bathrooms: 1,
        maxGuests: 4,
        pricePerNight: 80 + ((i * 37) % 200),
        cleaningFee: 20,
        serviceFee: 10,
        amenities: ['wifi'],
      });
    }
    await Property.insertMany(docs, { ordered: true, lean: false });
  }
}

type Shape = 'city' | 'no city';
const SHAPES: Record<Shape, (i: number) => Parameters<typeof searchProperties>[0]> = {
  // The API load's search: GET /api/properties?city=...&guests=2&sort=price_asc&limit=20
  city: (i) => ({
    city: CITIES[i % CITIES.length],
    guests: 2,
    sort: 'price_asc',
    page: 1,
    limit: 20,
  }),
  'no city': () => ({ sort: 'newest', page: 1, limit: 20 }),
};

interface Measured {
  backend: Backend;
  listings: number;
  shape: Shape;
  latency: LatencyStats;
  /** CPU-milliseconds per search, per process tree (ferretdb, postgres). */
  cpuMsPerSearch: Record<string, number>;
  /** Matches the search counted (total), as a check that both backends agree. */
  total: number;
}

async function measure(server: Server, backend: Backend, listings: number, searches: number) {
  const results: Measured[] = [];
  for (const shape of Object.keys(SHAPES) as Shape[]) {
    for (let i = 0; i < 2; i++) await searchProperties(SHAPES[shape](i)); // warm-up
    const times: number[] = [];
    let total = 0;
    const before = cpuTicks(server.roots);
    for (let i = 0; i < searches; i++) {
      const t0 = performance.now();
      const found = await searchProperties(SHAPES[shape](i));
      times.push(performance.now() - t0);
      total = found.total;
    }
    const spent = cpuSpent(before, cpuTicks(server.roots));
    const cpuMsPerSearch = Object.fromEntries(
      Object.entries(spent).map(([name, s]) => [name, (s * 1000) / searches]),
    );
    const latency = latencyStats(times);
    results.push({ backend, listings, shape, latency, cpuMsPerSearch, total });
    say(
      `${backend} ${listings} listings, ${shape}: p50 ${latency.p50.toFixed(1)} ms, mean ${latency.mean.toFixed(1)} ms, ${total} matches`,
    );
  }
  return results;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  say(`options ${JSON.stringify(options)}`);
  const log = createLogger('search-bench', 'warn');
  const all: Measured[] = [];
  const inserts: { backend: Backend; listings: number; seconds: number }[] = [];
  for (const backend of options.backends) {
    const dataDir = mkdtempSync(join(tmpdir(), `staysaga-search-${backend}-`));
    const server = await startBackend(backend, dataDir);
    try {
      await connectMongo(server.uri, log);
      let have = 0;
      for (const size of options.sizes) {
        const t0 = performance.now();
        await addListings(have, size);
        const seconds = (performance.now() - t0) / 1000;
        inserts.push({ backend, listings: size - have, seconds });
        say(`${backend}: ${size - have} listings added in ${seconds.toFixed(1)} s`);
        have = size;
        all.push(...(await measure(server, backend, size, options.searches)));
      }
    } finally {
      await disconnectMongo();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  const rows = options.sizes.flatMap((size) =>
    (Object.keys(SHAPES) as Shape[]).map((shape) => {
      const of = (b: Backend) =>
        all.find((m) => m.backend === b && m.listings === size && m.shape === shape);
      const sqlite = of('sqlite');
      const pg = of('postgresql');
      const cell = (m?: Measured) =>
        m
          ? `${m.latency.p50.toFixed(0)} / ${m.latency.p90.toFixed(0)} / ${m.latency.mean.toFixed(0)}`
          : '–';
      const cpu = (m?: Measured) =>
        m
          ? Object.entries(m.cpuMsPerSearch)
              .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
              .join(', ')
          : '–';
      const ratio = sqlite && pg ? `${(pg.latency.p50 / sqlite.latency.p50).toFixed(2)}x` : '–';
      return [
        size.toLocaleString('en'),
        shape,
        sqlite?.total ?? pg?.total ?? 0,
        cell(sqlite),
        cpu(sqlite),
        cell(pg),
        cpu(pg),
        ratio,
      ];
    }),
  );
  const table = renderTable(
    [
      'listings',
      'search',
      'matches',
      'SQLite ms p50 / p90 / mean',
      'SQLite CPU ms/search',
      'PostgreSQL ms p50 / p90 / mean',
      'PostgreSQL CPU ms/search',
      'p50 PostgreSQL/SQLite',
    ],
    rows,
  );
  process.stdout.write(`\n${table}\n\n`);
  const file = writeResults(RESULTS_DIR, {
    kind: 'property-search',
    startedAt: new Date().toISOString(),
    options,
    inserts,
    results: all,
  });
  say(`raw results: ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `[search-bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
