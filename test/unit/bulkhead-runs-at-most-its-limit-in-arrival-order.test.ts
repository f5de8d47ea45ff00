import { describe, expect, it } from 'vitest';
import { Bulkhead } from '../../services/bulkhead.js';

/** A task that finishes when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    open: () => open(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Bulkhead', () => {
  it('runs at most its limit at once and starts the waiting tasks in arrival order', async () => {
    const log: string[] = [];
    const bulkhead = new Bulkhead(2);
    const gates = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
    const [a, b, c, d] = gates;
    const results = gates.map((g) => bulkhead.run(g.task));
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    expect(bulkhead.queued).toBe(2);
    b!.open();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    a!.open();
    c!.open();
    d!.open();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(bulkhead.queued).toBe(0);
  });

  it('frees the slot of a task that fails', async () => {
    const bulkhead = new Bulkhead(1);
    await expect(bulkhead.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await bulkhead.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('starts waiting tasks at once when its limit grows, and never runs more after it shrinks', async () => {
    const log: string[] = [];
    const bulkhead = new Bulkhead(1);
    const gates = ['a', 'b', 'c'].map((n) => gate(log, n));
    const results = gates.map((g) => bulkhead.run(g.task));
    await settle();
    expect(log).toEqual(['start a']);
    bulkhead.resize(3);
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    bulkhead.resize(1);
    const late = gate(log, 'd');
    const lateResult = bulkhead.run(late.task);
    gates[0]!.open();
    gates[1]!.open();
    await settle();
    expect(log).not.toContain('start d'); // c still runs, and the limit is now 1
    gates[2]!.open();
    await settle();
    expect(log).toContain('start d');
    late.open();
    expect(await Promise.all([...results, lateResult])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a limit below one', () => {
    expect(() => new Bulkhead(0)).toThrow();
    expect(() => new Bulkhead(1).resize(0)).toThrow();
  });
});
