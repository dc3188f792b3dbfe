import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * An upload's validated rows on local disk, between receiving the file and writing it: the upload arrives at the
 * client's pace with no transaction open and no lock held, and the write that follows reads from here at the
 * disk's pace. One file per import under os.tmpdir() (MARGIN_STAGING_DIR to choose another), readable by this
 * process only, framed as [uint32 parts][uint32 length × parts][bytes] per batch, and removed by dispose() (call
 * it in a finally).
 */
export class Staging {
  private constructor(
    readonly path: string,
    private readonly fh: fs.FileHandle,
  ) {}
  private size = 0;
  /** Batches written. */
  frames = 0;

  static async create(): Promise<Staging> {
    const dir = process.env.MARGIN_STAGING_DIR || os.tmpdir();
    swept ??= sweep(dir).catch(() => {});
    const file = path.join(dir, `margin-import-${randomUUID()}.stage`);
    const fh = await fs.open(file, "wx+", 0o600);
    return new Staging(file, fh);
  }

  /** Append one batch, as one or more byte strings (read() returns them as they were). */
  async append(parts: Buffer[]): Promise<void> {
    const head = Buffer.alloc(4 + 4 * parts.length);
    head.writeUInt32LE(parts.length, 0);
    parts.forEach((p, i) => head.writeUInt32LE(p.byteLength, 4 + 4 * i));
    let at = this.size;
    for (const b of [head, ...parts]) {
      await writeFully(this.fh, b, at);
      at += b.byteLength;
    }
    this.size = at;
    this.frames++;
  }

  /** The batches in the order they were appended. */
  async *read(): AsyncGenerator<Buffer[]> {
    let pos = 0;
    const four = Buffer.alloc(4);
    while (pos < this.size) {
      await readFully(this.fh, four, pos);
      const n = four.readUInt32LE(0);
      const lens = Buffer.alloc(4 * n);
      await readFully(this.fh, lens, pos + 4);
      pos += 4 + 4 * n;
      const parts: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        const b = Buffer.allocUnsafe(lens.readUInt32LE(4 * i));
        await readFully(this.fh, b, pos);
        pos += b.byteLength;
        parts.push(b);
      }
      yield parts;
    }
  }

  /** Close and delete the file; safe to call twice. */
  async dispose(): Promise<void> {
    await this.fh.close().catch(() => {});
    await fs.rm(this.path, { force: true });
  }
}

// A process killed mid-import (SIGKILL, power loss) cannot delete its staging file: the first import of each process
// removes staging files untouched for STALE_MS (an import in flight appends to its file or finishes far sooner).
const STALE_MS = 6 * 3600_000;
let swept: Promise<void> | undefined;

async function sweep(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await fs.readdir(dir)) {
    if (!/^margin-import-[0-9a-f-]{36}\.stage$/.test(name)) continue;
    const file = path.join(dir, name);
    const st = await fs.stat(file).catch(() => null);
    if (st && now - st.mtimeMs > STALE_MS) await fs.rm(file, { force: true }).catch(() => {});
  }
}

async function readFully(fh: fs.FileHandle, buf: Buffer, at: number): Promise<void> {
  let off = 0;
  while (off < buf.byteLength) {
    const { bytesRead } = await fh.read(buf, off, buf.byteLength - off, at + off);
    if (bytesRead === 0) throw new Error("Staging file ended early");
    off += bytesRead;
  }
}

async function writeFully(fh: fs.FileHandle, buf: Buffer, at: number): Promise<void> {
  let off = 0;
  while (off < buf.byteLength) {
    const { bytesWritten } = await fh.write(buf, off, buf.byteLength - off, at + off);
    off += bytesWritten;
  }
}
