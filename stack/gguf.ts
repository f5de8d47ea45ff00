/**
 * Checking a GGUF model file before the model server is given it: its sha256 against the pinned
 * one, then its header (magic `GGUF`, a version llama.cpp reads, at least one tensor) and the
 * `general.*` entries of its metadata key-value section, of which `general.architecture` must be
 * the expected one. The header layout is ggml's gguf.h: magic, uint32 version, uint64 tensor
 * count, uint64 key-value count, then each key (uint64 length + UTF-8) with a uint32 value type
 * and its value; everything little-endian.
 */
import { createHash } from 'node:crypto';
import { createReadStream, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StackError } from './managed-process.js';

export interface GgufInfo {
  version: number;
  tensorCount: number;
  /** `general.architecture`, e.g. `qwen2`. */
  architecture: string;
  /** `general.name`, e.g. `Qwen2.5 Coder 0.5B Instruct` (empty when the file has none). */
  name: string;
  /** Every scalar `general.*` entry (strings, numbers, booleans), for the log. */
  general: Record<string, string | number | boolean>;
}

export interface ExpectedModel {
  sha256: string;
  architecture: string;
  /** `general.size_label`, e.g. `0.5B`, when the file must say it. */
  sizeLabel?: string;
}

const MAGIC = 'GGUF';
/** gguf_type: the size in bytes of each fixed-size value type. */
const FIXED_SIZES: Record<number, number> = {
  0: 1, // UINT8
  1: 1, // INT8
  2: 2, // UINT16
  3: 2, // INT16
  4: 4, // UINT32
  5: 4, // INT32
  6: 4, // FLOAT32
  7: 1, // BOOL
  10: 8, // UINT64
  11: 8, // INT64
  12: 8, // FLOAT64
};
const STRING = 8;
const ARRAY = 9;
/** No key or string value in a real header comes near this; a bigger one means a broken file. */
const MAX_STRING_BYTES = 64 * 1024 * 1024;

/** Sequential little-endian reads from a file, a chunk at a time (arrays are skipped, not read). */
class FileReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;
  readonly size: number;

  constructor(
    private readonly fd: number,
    private readonly file: string,
  ) {
    this.size = fstatSync(fd).size;
  }

  bytes(length: number): Buffer {
    if (this.position + length > this.size) {
      throw new StackError(`${this.file}: the GGUF header ends early (at byte ${this.size})`);
    }
    const offset = this.position - this.bufferStart;
    if (offset < 0 || offset + length > this.buffer.length) {
      this.buffer = Buffer.alloc(Math.max(length, 1 << 20));
      const read = readSync(this.fd, this.buffer, 0, this.buffer.length, this.position);
      this.buffer = this.buffer.subarray(0, read);
      this.bufferStart = this.position;
    }
    const start = this.position - this.bufferStart;
    this.position += length;
    return this.buffer.subarray(start, start + length);
  }

  skip(length: number): void {
    if (this.position + length > this.size) {
      throw new StackError(`${this.file}: the GGUF header ends early (at byte ${this.size})`);
    }
    this.position += length;
  }

  u32(): number {
    return this.bytes(4).readUInt32LE(0);
  }

  u64(): number {
    const value = this.bytes(8).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new StackError(`${this.file}: a GGUF count of ${value} is not plausible`);
    }
    return Number(value);
  }

  string(): string {
    const length = this.u64();
    if (length > MAX_STRING_BYTES) {
      throw new StackError(`${this.file}: a GGUF string of ${length} bytes is not plausible`);
    }
    return this.bytes(length).toString('utf8');
  }

  scalar(type: number): string | number | boolean {
    const size = FIXED_SIZES[type]!;
    const b = this.bytes(size);
    switch (type) {
      case 0:
        return b.readUInt8(0);
      case 1:
        return b.readInt8(0);
      case 2:
        return b.readUInt16LE(0);
      case 3:
        return b.readInt16LE(0);
      case 4:
        return b.readUInt32LE(0);
      case 5:
        return b.readInt32LE(0);
      case 6:
        return b.readFloatLE(0);
      case 7:
        return b.readUInt8(0) !== 0;
      case 10:
        return Number(b.readBigUInt64LE(0));
      case 11:
        return Number(b.readBigInt64LE(0));
      default:
        return b.readDoubleLE(0);
    }
  }

  /** Skips one value of `type` (arrays of strings are walked; fixed-size arrays jumped over). */
  skipValue(type: number, depth = 0): void {
    if (type in FIXED_SIZES) return this.skip(FIXED_SIZES[type]!);
    if (type === STRING) {
      const length = this.u64();
      return this.skip(length);
    }
    if (type === ARRAY && depth < 4) {
      const itemType = this.u32();
      const count = this.u64();
      if (itemType in FIXED_SIZES) return this.skip(count * FIXED_SIZES[itemType]!);
      for (let i = 0; i < count; i++) this.skipValue(itemType, depth + 1);
      return;
    }
    throw new StackError(`${this.file}: unknown GGUF value type ${type} at byte ${this.position}`);
  }
}

/** Reads the header and the `general.*` metadata of a GGUF file; throws on anything malformed. */
export function readGgufHeader(file: string): GgufInfo {
  const fd = openSync(file, 'r');
  try {
    const reader = new FileReader(fd, file);
    if (reader.size < 24) throw new StackError(`${file} is not a GGUF file (${reader.size} bytes)`);
    const magic = reader.bytes(4).toString('latin1');
    if (magic !== MAGIC) {
      throw new StackError(`${file} is not a GGUF file (magic ${JSON.stringify(magic)})`);
    }
    const version = reader.u32();
    // Version 1 used 32-bit counts and is long gone; llama.cpp reads 2 and 3.
    if (version !== 2 && version !== 3) {
      throw new StackError(`${file}: GGUF version ${version} is not one llama.cpp reads (2, 3)`);
    }
    const tensorCount = reader.u64();
    const kvCount = reader.u64();
    if (tensorCount === 0) throw new StackError(`${file}: the GGUF file has no tensors`);
    const general: Record<string, string | number | boolean> = {};
    for (let i = 0; i < kvCount; i++) {
      const key = reader.string();
      const type = reader.u32();
      if (key.startsWith('general.') && (type === STRING || type in FIXED_SIZES)) {
        general[key] = type === STRING ? reader.string() : reader.scalar(type);
      } else {
        reader.skipValue(type);
      }
    }
    const architecture = general['general.architecture'];
    if (typeof architecture !== 'string' || architecture === '') {
      throw new StackError(`${file}: the GGUF metadata has no general.architecture`);
    }
    const name = general['general.name'];
    return {
      version,
      tensorCount,
      architecture,
      name: typeof name === 'string' ? name : '',
      general,
    };
  } finally {
    closeSync(fd);
  }
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * Refuses a model file whose sha256 is not the pinned one, or whose GGUF header is malformed or
 * of another architecture; returns what the header says. `sha256` may be passed when the caller
 * hashed the file while writing it.
 */
export async function verifyGgufFile(
  file: string,
  expected: ExpectedModel,
  sha256?: string,
): Promise<GgufInfo> {
  const actual = sha256 ?? (await sha256OfFile(file));
  if (actual !== expected.sha256) {
    throw new StackError(
      `${file}: sha256 ${actual} is not the pinned ${expected.sha256}; refusing this model file`,
    );
  }
  const info = readGgufHeader(file);
  if (info.architecture !== expected.architecture) {
    throw new StackError(
      `${file}: general.architecture is ${info.architecture}, expected ${expected.architecture}`,
    );
  }
  const sizeLabel = info.general['general.size_label'];
  if (expected.sizeLabel !== undefined && sizeLabel !== expected.sizeLabel) {
    throw new StackError(
      `${file}: general.size_label is ${String(sizeLabel)}, expected ${expected.sizeLabel}`,
    );
  }
  return info;
}
