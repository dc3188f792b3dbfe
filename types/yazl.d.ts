// yazl ships no types; only what lib/export/service.ts uses.
declare module "yazl" {
  import type { Readable } from "node:stream";
  type EntryOptions = { mtime?: Date; mode?: number; compress?: boolean; compressionLevel?: number; forceZip64Format?: boolean; forceDosTimestamp?: boolean };
  export class ZipFile {
    outputStream: Readable;
    addFile(realPath: string, metadataPath: string, options?: EntryOptions): void;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    end(options?: { forceZip64Format?: boolean; comment?: string }): void;
  }
}
