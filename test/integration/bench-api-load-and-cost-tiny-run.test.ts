/**
 * The benchmark's building blocks, tiny: the JMeter-style API load (log in → search → book) at
 * five virtual users for three seconds against an API process with the bench's booking policy
 * on the suite's stack, and the procfs process-cost meter on this test process over a short
 * busy loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOAD_TEST_POLICY, renderApiLoadTable, runApiLoad } from '../../bench/api-load.js';
import { cpuSecondsPer, measureProcessCost, renderCostTable } from '../../bench/process-cost.js';
import { freePorts } from '../../stack/ports.js';
import { startExtraProcess, stopExtraProcesses } from '../support/extra-process.js';

let loadApiUrl: string;

// The load runs against an API of its own with the bench's policy (the shared system keeps the
// caps a person is held to); its sagas run on the suite's worker.
beforeAll(async () => {
  const [port] = (await freePorts(1)) as [number];
  await startExtraProcess(
    ['processes/main.ts', 'api'],
    { ...LOAD_TEST_POLICY, PORT: String(port) },
    /listening/,
  );
  loadApiUrl = `http://127.0.0.1:${port}`;
});

afterAll(stopExtraProcesses);

describe('bench building blocks, tiny run', () => {
  it('runs the API load at 5 users for 3 s with every request kind answered and no errors', async () => {
    const lines: string[] = [];
    const results = await runApiLoad({
      apiUrl: loadApiUrl,
      users: [5],
      durationSec: 3,
      travelers: 5,
      owners: 2,
      properties: 8,
      log: (line) => lines.push(line),
    });
    process.stdout.write(`${renderApiLoadTable(results)}\n`);

    expect(results.map((r) => r.kind).sort()).toEqual(['all', 'booking', 'login', 'search']);
    for (const r of results) {
      expect(r.users).toBe(5);
      expect(r.requests, r.kind).toBeGreaterThan(0);
      expect(r.rps, r.kind).toBeGreaterThan(0);
      expect(r.errors, r.kind).toBe(0);
      expect(r.p50Ms, r.kind).toBeGreaterThan(0);
      expect(r.p99Ms, r.kind).toBeGreaterThanOrEqual(r.p50Ms);
    }
    const all = results.find((r) => r.kind === 'all')!;
    const parts = results.filter((r) => r.kind !== 'all');
    expect(all.requests).toBe(parts.reduce((sum, r) => sum + r.requests, 0));
    // Every booking asks for nights no other request of the run asks for.
    expect(all.conflicts).toBe(0);
    expect(renderApiLoadTable(results)).toContain('| 5 | booking |');
    expect(lines.some((l) => l.includes('users=5 all'))).toBe(true);
  }, 30_000);

  it('refuses any target other than 127.0.0.1', async () => {
    await expect(
      runApiLoad({ apiUrl: 'http://example.com:3000', users: [1], durationSec: 1 }),
    ).rejects.toThrow(/127\.0\.0\.1/);
  });

  it('measures CPU seconds and peak RSS of a process from procfs', () => {
    const meter = measureProcessCost({ self: process.pid }, 50);
    meter.start();
    const until = Date.now() + 300;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const report = meter.stop();
    process.stdout.write(`${renderCostTable(report, 10)}\n`);

    expect(x).toBeGreaterThan(0);
    expect(report.processes).toHaveLength(1);
    const [self] = report.processes;
    expect(self!.name).toBe('self');
    expect(self!.pid).toBe(process.pid);
    expect(self!.cpuSeconds).toBeGreaterThan(0);
    expect(self!.cpuSeconds).toBeLessThan(5);
    expect(self!.peakRssMiB).toBeGreaterThan(0);
    expect(self!.hwmMiB).toBeGreaterThanOrEqual(self!.peakRssMiB);
    expect(report.totalCpuSeconds).toBeCloseTo(self!.cpuSeconds, 3);
    expect(cpuSecondsPer(report, 10)).toBeCloseTo(report.totalCpuSeconds / 10, 6);
    expect(renderCostTable(report, 10)).toContain('CPU per booking');
  });
});
