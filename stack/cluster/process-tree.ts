/**
 * Process-tree helpers the fault tests need beyond managed-process.ts: crash on demand and
 * memory use. A tree, not only the process group startProcess creates, because PostgreSQL's
 * backends each call setsid(): a group signal or a group sum would miss all of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ManagedProcess } from '../managed-process.js';

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
}

function allProcesses(): ProcStat[] {
  const found: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state, ppid, pgrp, ...
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(entry), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** `root`, its descendants and the members of its process group. */
export function treePids(root: number): number[] {
  const processes = allProcesses();
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes) {
      if (!tree.has(p.pid) && (tree.has(p.ppid) || p.pgrp === root)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** SIGKILL to the whole tree at once, as a crash or an OOM kill would, then wait for the exit. */
export async function killNow(proc: ManagedProcess): Promise<void> {
  if (!proc.hasExited()) {
    // Listed before the kill: once the root dies its children are re-parented and untraceable.
    for (const pid of treePids(proc.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }
  await proc.exited;
}

/**
 * Memory of a process and its tree, in KiB, from /proc/<pid>/status. VmRSS counts shared pages
 * (PostgreSQL's shared buffers) once per process that touched them; RssAnon is private memory.
 */
export function treeMemoryKiB(root: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  const line = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm');
  let total = 0;
  for (const pid of treePids(root)) {
    try {
      total += Number(line.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited while we looked
    }
  }
  return total;
}
