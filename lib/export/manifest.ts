import pkg from "@/package.json";
import type { Campaign } from "@/db/schema";
import type { ReadFreshness } from "@/db/replica";
import type { Column, ExportFormat } from "./types";

export type ManifestFile = {
  name: string;
  kind: string;
  format: ExportFormat | "json";
  rows: number;
  bytes: number;
  sha256: string;
  columns: readonly Column[];
};

/** The report an export carries, as recorded in its manifest: enough to recompute it from the files alone. */
export type ReportManifest = {
  /** Report parameters as a query string would give them (cuts, minN, ref, run). */
  parameters: Record<string, string>;
  /** The routing run whose inclusion records (the design file) the report used. */
  runId: string | null;
  inclusionRecords: number;
  consensus: string;
  estimatorVersion: string;
  /** The campaign's redundancy k ("fully judged" counts); k_max under adaptive k. */
  k: number;
  /** Adaptive k: k_min and the agree distance (null: fixed k). The report reads each item's first k_min ratings,
   *  in judgment order, for human–human measures and decides "fully judged" by the item's target. */
  kMin?: number | null;
  agreeDistance?: number;
  accounting: unknown;
};

export type Manifest = {
  manifestVersion: 2;
  exportId: string;
  kind: string;
  format: ExportFormat | "zip";
  parameters: Record<string, unknown>;
  campaign: { id: string; slug: string; guidelinesVersion: number; routingPolicyVersion: number; routingSeed: string | null; rubric: unknown; routingPolicy: unknown };
  requester: { userId: string };
  software: { name: string; version: string; commit: string | null };
  createdAt: string;
  files: ManifestFile[];
  /** sha256 over the SHA256SUMS text of all files: one checksum for the whole evidence set, stable across re-exports. */
  contentSha256: string;
  /** Present when the export carries a report (the report and design kinds, bundles). */
  report?: ReportManifest;
  /** Where the data was read: the replica (with the time it had replayed to) or the primary, and why. */
  freshness?: ReadFreshness;
};

/**
 * The manifest.json inside a bundle: the Manifest without what differs from one download to the next (export id,
 * requester, clock time, where it was read), and with the time the data last changed instead, so the same data gives the same zip,
 * byte for byte. Who exported it and when is in the export's record (BundleRecord), outside the zip.
 */
export type BundleManifest = Omit<Manifest, "exportId" | "requester" | "createdAt" | "freshness"> & {
  /** When the exported data last changed (judgments, imports, routing runs, exclusions, campaign edits). */
  dataAsOf: string;
};

/**
 * The record of one bundle export (exports.manifest, GET …/exports/manifests/{exportId}): the bundle's
 * manifest.json, who asked and when, and the zip itself: its name, size and sha256 (which the zip cannot hold).
 * `bundle.manifestSha256` is the sha256 of the manifest.json inside it.
 */
export type BundleRecord = Manifest & {
  dataAsOf: string;
  bundle: { name: string; bytes: number; sha256: string; manifestSha256: string };
};

/** The in-zip manifest of a bundle (see BundleManifest): a Manifest with its per-download fields taken out. */
export function bundleManifest(m: Manifest, dataAsOf: Date): BundleManifest {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { exportId, requester, createdAt, freshness, ...content } = m;
  return { ...content, dataAsOf: dataAsOf.toISOString() };
}

export function softwareVersion(env: NodeJS.ProcessEnv = process.env) {
  return { name: "margin", version: pkg.version, commit: env.MARGIN_GIT_COMMIT ?? env.GIT_COMMIT ?? env.SOURCE_COMMIT ?? null };
}

/** `sha256sum` format, sorted by name, so `sha256sum -c SHA256SUMS` verifies an unpacked bundle. */
export function sha256sums(files: Pick<ManifestFile, "name" | "sha256">[]): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.name}\n`)
    .join("");
}

export function buildManifest(input: {
  exportId: string;
  kind: string;
  format: ExportFormat | "zip";
  parameters: Record<string, unknown>;
  campaign: Campaign;
  requesterId: string;
  files: ManifestFile[];
  contentSha256: string;
  now?: Date;
  report?: ReportManifest;
  freshness?: ReadFreshness;
}): Manifest {
  const c = input.campaign;
  return {
    manifestVersion: 2,
    exportId: input.exportId,
    kind: input.kind,
    format: input.format,
    parameters: input.parameters,
    campaign: { id: c.id, slug: c.slug, guidelinesVersion: c.guidelinesVersion, routingPolicyVersion: c.routingPolicyVersion, routingSeed: c.routingSeed, rubric: c.rubric, routingPolicy: c.routingPolicy },
    requester: { userId: input.requesterId },
    software: softwareVersion(),
    createdAt: (input.now ?? new Date()).toISOString(),
    files: input.files,
    contentSha256: input.contentSha256,
    ...(input.report ? { report: input.report } : {}),
    ...(input.freshness ? { freshness: input.freshness } : {}),
  };
}
