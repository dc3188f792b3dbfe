// Checks a downloaded bundle in the browser: reads the zip's central directory, inflates each member
// (DecompressionStream "deflate-raw"), hashes it (Web Crypto) and compares with the sha256 that manifest.json and
// SHA256SUMS inside the zip list for it. Runs in the browser and in Node 20 (tests); bundles over 4 GB (zip64) are
// not checked here.

export type MemberCheck = { name: string; expected: string | null; actual: string; ok: boolean };
export type BundleCheck =
  | { ok: true; members: MemberCheck[]; manifest: { contentSha256?: string; dataAsOf?: string; files: { name: string; sha256: string }[] } }
  | { ok: false; members: MemberCheck[]; reason: string };

type Entry = { name: string; method: number; compressedSize: number; offset: number };

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

function entries(zip: Uint8Array): Entry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip file (no end of central directory)");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (at === 0xffffffff || count === 0xffff) throw new Error("zip64 bundles are not checked in the browser");
  const decoder = new TextDecoder();
  const list: Entry[] = [];
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("damaged central directory");
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const offset = view.getUint32(at + 42, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    list.push({ name, method, compressedSize, offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return list;
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The bytes of each member of a zip (stored or deflated members only). */
export async function unzip(zip: Uint8Array): Promise<Map<string, Uint8Array>> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out = new Map<string, Uint8Array>();
  for (const e of entries(zip)) {
    if (view.getUint32(e.offset, true) !== 0x04034b50) throw new Error(`damaged local header for ${e.name}`);
    const start = e.offset + 30 + view.getUint16(e.offset + 26, true) + view.getUint16(e.offset + 28, true);
    const raw = zip.subarray(start, start + e.compressedSize);
    if (e.method === 0) out.set(e.name, raw);
    else if (e.method === 8) out.set(e.name, await inflateRaw(raw));
    else throw new Error(`${e.name}: compression method ${e.method} is not supported`);
  }
  return out;
}

/** Check every member a bundle's manifest.json lists against its sha256 there and in SHA256SUMS. */
export async function verifyBundle(zip: Uint8Array): Promise<BundleCheck> {
  let members: Map<string, Uint8Array>;
  try {
    members = await unzip(zip);
  } catch (e) {
    return { ok: false, members: [], reason: e instanceof Error ? e.message : "unreadable zip" };
  }
  const manifestBytes = members.get("manifest.json");
  if (!manifestBytes) return { ok: false, members: [], reason: "manifest.json is missing" };
  let manifest: { contentSha256?: string; dataAsOf?: string; files?: { name: string; sha256: string }[] };
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as typeof manifest;
  } catch {
    return { ok: false, members: [], reason: "manifest.json is not JSON" };
  }
  const files = manifest.files ?? [];
  const sums = new Map<string, string>();
  for (const line of new TextDecoder().decode(members.get("SHA256SUMS") ?? new Uint8Array()).split("\n")) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  const checks: MemberCheck[] = [];
  for (const f of files) {
    const bytes = members.get(f.name);
    const actual = bytes ? await sha256Hex(bytes) : "";
    checks.push({ name: f.name, expected: f.sha256, actual, ok: !!bytes && actual === f.sha256 && sums.get(f.name) === f.sha256 });
  }
  if (files.length === 0) return { ok: false, members: checks, reason: "manifest.json lists no files" };
  if (checks.some((c) => !c.ok)) return { ok: false, members: checks, reason: `${checks.filter((c) => !c.ok).length} of ${checks.length} files do not match manifest.json` };
  return { ok: true, members: checks, manifest: { contentSha256: manifest.contentSha256, dataAsOf: manifest.dataAsOf, files: files.map((f) => ({ name: f.name, sha256: f.sha256 })) } };
}
