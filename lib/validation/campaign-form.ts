import { z } from "zod";
import type { RoutingPolicy, Rubric } from "./campaign";

// The UI form is flat (FormData strings); this turns it into the JSON shape the API takes, so both go
// through the same zod schemas (campaign-input.ts) and the same lib/campaigns code.

const str = (v: unknown) => (typeof v === "string" ? v : "");
const numOrUndef = (v: unknown) => {
  const s = str(v).trim();
  return s === "" ? undefined : Number(s);
};
const lines = (v: unknown) =>
  str(v)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export function rubricFromForm(raw: Record<string, unknown>): unknown {
  switch (str(raw.rubricType)) {
    case "likert": {
      const labels: Record<string, string> = {};
      for (const l of lines(raw.likertLabels)) {
        const m = /^(-?\d+)\s*[:=]\s*(.+)$/.exec(l);
        if (m) labels[m[1]!] = m[2]!.trim();
      }
      return { type: "likert", min: numOrUndef(raw.likertMin), max: numOrUndef(raw.likertMax), ...(Object.keys(labels).length ? { labels } : {}) };
    }
    case "binary":
      return { type: "binary", labels: [str(raw.binaryLabel0).trim(), str(raw.binaryLabel1).trim()] };
    case "categorical":
      return { type: "categorical", options: lines(raw.categoricalOptions) };
    case "pairwise":
      return { type: "pairwise", allowTie: raw.allowTie === "on" || raw.allowTie === "true" };
    default:
      return undefined;
  }
}

export function campaignFromForm(raw: Record<string, unknown>): Record<string, unknown> {
  const budget = numOrUndef(raw.budget);
  // Routing policy kind: sent when the form has the field ("rules" included, so switching back is a change).
  const kind = str(raw.routingKind).trim();
  // π_min belongs to the active policy only: its field is shown for it alone, and a value left from an earlier
  // choice is not kept.
  const piMin = kind === "active" ? numOrUndef(raw.piMin) : undefined;
  const trustTarget = numOrUndef(raw.trustTarget);
  const trustDelta = numOrUndef(raw.trustDelta);
  const out: Record<string, unknown> = {
    name: str(raw.name),
    description: str(raw.description),
    guidelines: str(raw.guidelines),
    rubric: rubricFromForm(raw),
    k: numOrUndef(raw.k),
    stratificationKey: str(raw.stratificationKey),
    tailMethod: str(raw.tailMethod) || undefined,
    routingPolicy: {
      ...(kind ? { kind } : {}),
      confidenceThreshold: numOrUndef(raw.confidenceThreshold),
      tailThreshold: numOrUndef(raw.tailThreshold),
      controlRate: numOrUndef(raw.controlRate),
      ...(budget !== undefined ? { budget } : {}),
      ...(piMin !== undefined ? { piMin } : {}),
      ...(trustTarget !== undefined ? { trustTarget } : {}),
      ...(trustDelta !== undefined ? { trustDelta } : {}),
    },
    visibility: str(raw.visibility) || "public",
  };
  if (str(raw.slug).trim()) out.slug = str(raw.slug).trim();
  // Fields the form leaves out (or empty number fields) are not sent: defaults on create, unchanged on edit.
  const goldPercent = numOrUndef(raw.goldRate);
  if (goldPercent !== undefined) out.goldRate = goldPercent / 100;
  const lease = numOrUndef(raw.leaseMinutes);
  if (lease !== undefined) out.leaseMinutes = lease;
  // Adaptive k: an empty box is a fixed k (null); the agree distance box (Likert only) empty is 0.
  if (typeof raw.kMin === "string") out.kMin = raw.kMin.trim() === "" ? null : Number(raw.kMin.trim());
  if (typeof raw.agreeDistance === "string") out.agreeDistance = raw.agreeDistance.trim() === "" ? 0 : Number(raw.agreeDistance.trim());
  // "" is the rubric's default, stored as null.
  if (typeof raw.consensus === "string") out.consensus = raw.consensus === "" ? null : raw.consensus;
  // One host per line (commas and spaces also separate); a pasted URL is reduced to its host name.
  if (typeof raw.allowedImageHosts === "string") out.allowedImageHosts = hostList(raw.allowedImageHosts);
  return out;
}

function hostList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((h) => (/^https?:\/\//i.test(h) ? h.replace(/^https?:\/\/([^/?#]*).*$/i, "$1") : h));
}

/** Initial form values for the settings the form shows other than the rubric (gold rate as a percentage). */
export function workFormValues(c: { goldRate: number; leaseMinutes: number; consensus: string | null; allowedImageHosts: string[]; kMin: number | null; agreeDistance: number }): Record<string, string> {
  return {
    goldRate: String(Math.round(c.goldRate * 10_000) / 100),
    leaseMinutes: String(c.leaseMinutes),
    consensus: c.consensus ?? "",
    allowedImageHosts: c.allowedImageHosts.join("\n"),
    kMin: c.kMin === null ? "" : String(c.kMin),
    agreeDistance: String(c.agreeDistance),
  };
}

/** Initial form values of the routing policy (thresholds, kind, budget, π_min, trust target and δ). */
export function policyFormValues(p: RoutingPolicy): Record<string, string> {
  const opt = (x: number | undefined) => (x === undefined ? "" : String(x));
  return {
    routingKind: p.kind ?? "rules",
    confidenceThreshold: String(p.confidenceThreshold),
    tailThreshold: String(p.tailThreshold),
    controlRate: String(p.controlRate),
    budget: opt(p.budget),
    piMin: opt(p.piMin),
    trustTarget: opt(p.trustTarget),
    trustDelta: opt(p.trustDelta),
  };
}

/** Initial form values from a stored rubric (for the edit page). */
export function rubricFormValues(rubric: Rubric): Record<string, string> {
  switch (rubric.type) {
    case "likert":
      return {
        rubricType: "likert",
        likertMin: String(rubric.min),
        likertMax: String(rubric.max),
        likertLabels: Object.entries(rubric.labels ?? {})
          .map(([k, v]) => `${k}: ${v}`)
          .join("\n"),
      };
    case "binary":
      return { rubricType: "binary", binaryLabel0: rubric.labels[0], binaryLabel1: rubric.labels[1] };
    case "categorical":
      return { rubricType: "categorical", categoricalOptions: rubric.options.join("\n") };
    case "pairwise":
      return { rubricType: "pairwise", allowTie: rubric.allowTie ? "on" : "" };
  }
}

/** A zod schema for `action()` that flattens the form, then validates with `inner`. */
export function formSchema<S extends z.ZodType>(inner: S, extra?: (raw: Record<string, unknown>) => Record<string, unknown>) {
  return z.preprocess((raw) => {
    const r = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
    return { ...campaignFromForm(r), ...(extra ? extra(r) : {}) };
  }, inner);
}
