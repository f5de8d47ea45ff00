/**
 * CPU time and memory of named processes over a measured window, from procfs (Linux):
 * `/proc/<pid>/stat` for user + system CPU (clock ticks, `getconf CLK_TCK` per second) and
 * `/proc/<pid>/status` for resident memory (VmRSS sampled every `intervalMs`, its peak kept;
 * VmHWM, the kernel's lifetime peak, read as a cross-check). Children are not included: each
 * server is its own process.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessCost {
  name: string;
  pid: number;
  /** User + system CPU spent inside the window. */
  cpuSeconds: number;
  /** Highest VmRSS seen while sampling. */
  peakRssMiB: number;
  /** VmHWM at the end (peak over the process's whole life, so ≥ peakRssMiB). */
  hwmMiB: number;
  /** The process was gone before the window ended (its figures stop at its last sample). */
  exited: boolean;
}

export interface CostReport {
  processes: ProcessCost[];
  totalCpuSeconds: number;
  /** Length of the measured window. */
  wallSeconds: number;
}

let clockTicks: number | undefined;
/** Clock ticks per second (`getconf CLK_TCK`, 100 on practically every Linux). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicks = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process in clock ticks, or undefined when it is gone. */
export function readCpuTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (15) fields[12].
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS and VmHWM of a process in KiB, or undefined when it is gone. */
export function readMemoryKiB(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) : 0;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

interface Tracked {
  name: string;
  pid: number;
  startTicks?: number;
  lastTicks?: number;
  peakRssKiB: number;
  hwmKiB: number;
  exited: boolean;
}

export function measureProcessCost(
  pids: Record<string, number>,
  intervalMs = 500,
): { start(): void; stop(): CostReport } {
  const tracked: Tracked[] = Object.entries(pids).map(([name, pid]) => ({
    name,
    pid,
    peakRssKiB: 0,
    hwmKiB: 0,
    exited: false,
  }));
  let timer: NodeJS.Timeout | undefined;
  let startedAt: number | undefined;

  const sample = () => {
    for (const p of tracked) {
      if (p.exited) continue;
      const ticks = readCpuTicks(p.pid);
      const memory = readMemoryKiB(p.pid);
      if (ticks === undefined || memory === undefined) {
        p.exited = true;
        continue;
      }
      p.startTicks ??= ticks;
      p.lastTicks = ticks;
      p.peakRssKiB = Math.max(p.peakRssKiB, memory.rss);
      p.hwmKiB = Math.max(p.hwmKiB, memory.hwm);
    }
  };

  return {
    start() {
      if (startedAt !== undefined) throw new Error('process cost measurement already started');
      startedAt = Date.now();
      sample();
      timer = setInterval(sample, intervalMs);
      timer.unref();
    },
    stop(): CostReport {
      if (startedAt === undefined) throw new Error('process cost measurement was not started');
      clearInterval(timer);
      sample();
      const hz = clockTicksPerSecond();
      const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
      const processes = tracked.map((p) => ({
        name: p.name,
        pid: p.pid,
        cpuSeconds: ((p.lastTicks ?? 0) - (p.startTicks ?? 0)) / hz,
        peakRssMiB: mib(p.peakRssKiB),
        hwmMiB: mib(p.hwmKiB),
        exited: p.exited,
      }));
      const totalCpuSeconds =
        Math.round(processes.reduce((sum, p) => sum + p.cpuSeconds, 0) * 1000) / 1000;
      return { processes, totalCpuSeconds, wallSeconds: (Date.now() - startedAt) / 1000 };
    },
  };
}

/** CPU-seconds per unit of work (e.g. per booking): total CPU over `count`; NaN when count is 0. */
export function cpuSecondsPer(report: CostReport, count: number): number {
  return count > 0 ? report.totalCpuSeconds / count : Number.NaN;
}

/** The report as a markdown table; with `bookings`, also CPU milliseconds per booking. */
export function renderCostTable(report: CostReport, bookings?: number): string {
  const perBooking = bookings !== undefined && bookings > 0;
  const header = perBooking
    ? [
        '| Process | PID | CPU (s) | CPU per booking (ms) | Peak RSS (MiB) | VmHWM (MiB) |',
        '| ------- | --: | ------: | -------------------: | -------------: | ----------: |',
      ]
    : [
        '| Process | PID | CPU (s) | Peak RSS (MiB) | VmHWM (MiB) |',
        '| ------- | --: | ------: | -------------: | ----------: |',
      ];
  const row = (p: ProcessCost) => {
    const name = p.exited ? `${p.name} (exited)` : p.name;
    const cells = [name, String(p.pid), p.cpuSeconds.toFixed(2)];
    if (perBooking) cells.push(((p.cpuSeconds / bookings) * 1000).toFixed(2));
    cells.push(p.peakRssMiB.toFixed(1), p.hwmMiB.toFixed(1));
    return `| ${cells.join(' | ')} |`;
  };
  const total = ['**total**', '', report.totalCpuSeconds.toFixed(2)];
  if (perBooking) total.push((cpuSecondsPer(report, bookings) * 1000).toFixed(2));
  const totalRss = report.processes.reduce((sum, p) => sum + p.peakRssMiB, 0);
  const totalHwm = report.processes.reduce((sum, p) => sum + p.hwmMiB, 0);
  total.push(totalRss.toFixed(1), totalHwm.toFixed(1));
  return [...header, ...report.processes.map(row), `| ${total.join(' | ')} |`].join('\n');
}

/** One row of a tree-aware measurement: the named roots and, with `tree`, all their descendants. */
export interface ProcessGroup {
  roots: number[];
  /** Count descendants too (PostgreSQL's backends, a launcher's child); default true. */
  tree?: boolean;
}

/** Every process's parent, from one pass over /proc. */
function parentsNow(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  return parents;
}

function descendants(roots: number[], parents: Map<number, number>): number[] {
  const tree = new Set(roots.filter((pid) => parents.has(pid)));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/**
 * measureProcessCost for groups of process trees (the cluster: two replicas of a kind in one
 * row, PostgreSQL with its backends). A process that appears during the window counts from its
 * birth; one that exits between samples loses only its last interval. Peak RSS is the highest
 * sum of the group's VmRSS at one sample; VmHWM is the sum of its processes' lifetime peaks.
 */
export function measureProcessTreeCost(
  groups: Record<string, ProcessGroup>,
  intervalMs = 500,
): { start(): void; stop(): CostReport } {
  const ticks = new Map<string, Map<number, { first: number; last: number }>>();
  const peakRss = new Map<string, number>();
  const hwm = new Map<string, Map<number, number>>();
  let timer: NodeJS.Timeout | undefined;
  let startedAt: number | undefined;
  let first = true;

  const sample = () => {
    const parents = parentsNow();
    for (const [name, group] of Object.entries(groups)) {
      const pids = group.tree === false ? group.roots : descendants(group.roots, parents);
      const seen = ticks.get(name) ?? new Map<number, { first: number; last: number }>();
      const peaks = hwm.get(name) ?? new Map<number, number>();
      let rss = 0;
      for (const pid of pids) {
        const t = readCpuTicks(pid);
        const memory = readMemoryKiB(pid);
        if (t === undefined || memory === undefined) continue;
        const known = seen.get(pid);
        // Present at the start: counted from there; born later: counted from birth.
        if (known) known.last = t;
        else seen.set(pid, { first: first ? t : 0, last: t });
        rss += memory.rss;
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, memory.hwm));
      }
      ticks.set(name, seen);
      hwm.set(name, peaks);
      peakRss.set(name, Math.max(peakRss.get(name) ?? 0, rss));
    }
    first = false;
  };

  return {
    start() {
      if (startedAt !== undefined) throw new Error('process cost measurement already started');
      startedAt = Date.now();
      sample();
      timer = setInterval(sample, intervalMs);
      timer.unref();
    },
    stop(): CostReport {
      if (startedAt === undefined) throw new Error('process cost measurement was not started');
      clearInterval(timer);
      sample();
      const hz = clockTicksPerSecond();
      const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
      const processes = Object.entries(groups).map(([name, group]) => {
        let spent = 0;
        for (const { first: from, last } of ticks.get(name)?.values() ?? []) spent += last - from;
        const peaks = [...(hwm.get(name)?.values() ?? [])];
        return {
          name,
          pid: group.roots[0] ?? 0,
          cpuSeconds: spent / hz,
          peakRssMiB: mib(peakRss.get(name) ?? 0),
          hwmMiB: mib(peaks.reduce((a, b) => a + b, 0)),
          exited: false,
        };
      });
      const totalCpuSeconds =
        Math.round(processes.reduce((sum, p) => sum + p.cpuSeconds, 0) * 1000) / 1000;
      return { processes, totalCpuSeconds, wallSeconds: (Date.now() - startedAt) / 1000 };
    },
  };
}
