"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import type { ActionState } from "@/lib/actions/action";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select, TextArea } from "./form-fields";

export type CampaignFormValues = Record<string, string>;
type Props = {
  action: (prev: ActionState, data: FormData) => Promise<ActionState>;
  values: CampaignFormValues;
  submitLabel: string;
  /** Set when judgments exist: the rubric can no longer change. */
  rubricLocked?: boolean;
  showSlug?: boolean;
  hidden?: Record<string, string>;
  /** Routable (non-gold) items the campaign holds now: the most a budget can ask for (absent on a new campaign). */
  pool?: number;
};

const CONSENSUS_OPTIONS: [string, string][] = [
  ["", "Rubric default"],
  ["median", "Median"],
  ["majority", "Majority vote"],
  ["mean", "Mean (interval scales only)"],
  ["dawid_skene", "Dawid–Skene"],
];

// Zod paths from the JSON shape → the flat form field that shows the message.
const FIELD_OF: Record<string, string> = {
  "rubric.min": "likertMin",
  "rubric.max": "likertMax",
  rubric: "rubricType",
  "rubric.labels": "binaryLabel0",
  "rubric.options": "categoricalOptions",
  "routingPolicy.confidenceThreshold": "confidenceThreshold",
  "routingPolicy.tailThreshold": "tailThreshold",
  "routingPolicy.controlRate": "controlRate",
  "routingPolicy.budget": "budget",
  "routingPolicy.kind": "routingKind",
  "routingPolicy.piMin": "piMin",
  "routingPolicy.trustTarget": "trustTarget",
  "routingPolicy.trustDelta": "trustDelta",
  routingPolicy: "routingKind",
  "rubric.type": "rubricType",
  allowedImageHosts: "allowedImageHosts",
};

// Every field the form can show an error beside.
const FORM_FIELDS = new Set([
  "name", "slug", "visibility", "description", "guidelines", "rubricType", "likertMin", "likertMax", "likertLabels", "binaryLabel0",
  "categoricalOptions", "k", "stratificationKey", "tailMethod", "confidenceThreshold", "tailThreshold", "controlRate", "routingKind",
  "budget", "piMin", "trustTarget", "trustDelta", "kMin", "agreeDistance", "goldRate", "leaseMinutes", "consensus", "allowedImageHosts",
]);

const POLICY_OPTIONS: [string, string][] = [
  ["rules", "Rules: the thresholds above decide"],
  ["active", "Active: spend a per-round budget where the judge is most likely wrong"],
  ["escalate", "Escalate: send people what the judge cannot be trusted on"],
];

// What each policy does, in plain words, under the select.
const POLICY_HINT: Record<string, string> = {
  rules: "Items the judge is unsure about or that are rare always go to people; a random share p of the rest is checked.",
  active:
    "Each routing round draws about “budget” items, more often where the judge is predicted to be wrong. Every item keeps at least the chance π_min, so estimates stay unbiased. The first round uses the rules.",
  escalate:
    "Groups of items where the judge's agreement with people cannot be certified at the trust target go to people; the rest are sampled at the control rate p. The first round uses the rules.",
};

export function CampaignForm({ action, values, ...rest }: Props) {
  const [state, formAction, pending] = useActionState(action, undefined);
  const errors: Record<string, string> = {};
  for (const [path, msg] of Object.entries(state?.fieldErrors ?? {})) {
    const key = FIELD_OF[path] ?? Object.entries(FIELD_OF).find(([p]) => path.startsWith(`${p}.`))?.[1] ?? path;
    errors[key] ??= msg;
  }
  // React resets a form once its action returns, to the values its fields were mounted with (selects do not follow
  // a later defaultValue). So the fields are mounted again whenever what they should show changes: after a refused
  // submit, what was sent (a fix starts from the person's own input, and the Scale select keeps matching the rubric
  // fields on show); after a saved edit, the stored values.
  // A save that re-routes: the routing panel on the page follows the run to its outcome.
  useEffect(() => {
    if (state?.success && /re-rout/i.test(state.success)) window.dispatchEvent(new Event("margin:reroute-started"));
  }, [state]);
  const sent = state?.values;
  const shown = sent ? { ...values, ...sent, ...(sent.rubricType ? { allowTie: sent.allowTie ?? "" } : {}) } : values;
  return <CampaignFormBody key={JSON.stringify(shown)} {...rest} values={shown} formAction={formAction} state={state} errors={errors} pending={pending} />;
}

type BodyProps = Omit<Props, "action"> & {
  formAction: (data: FormData) => void;
  state: ActionState;
  errors: Record<string, string>;
  pending: boolean;
};

function CampaignFormBody({ values, submitLabel, rubricLocked, showSlug, hidden, pool, formAction, state, errors, pending }: BodyProps) {
  const [rubricType, setRubricType] = useState(values.rubricType || "likert");
  const [policyKind, setPolicyKind] = useState(values.routingKind || "rules");
  const poolNote = pool === undefined ? "" : ` This campaign has ${pool.toLocaleString("en")} item(s) that can be routed.`;
  const v = (k: string) => values[k] ?? "";
  const formRef = useRef<HTMLFormElement>(null);
  // After a refused submit the fields mount again (see CampaignForm): focus goes to the first field in error, in
  // the order they appear, so a keyboard or screen-reader user lands on what to fix.
  useEffect(() => {
    if (!state?.fieldErrors) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (first) {
      first.focus();
      first.scrollIntoView?.({ block: "center" });
    }
  }, [state]);
  // A message for a field this form does not show (or shows only on another scale) is listed under the summary.
  const unplaced = Object.entries(errors).filter(([k]) => !FORM_FIELDS.has(k) || ((k.startsWith("likert") || k === "agreeDistance") && rubricType !== "likert") || (k === "piMin" && policyKind !== "active"));

  return (
    <form ref={formRef} action={formAction} className="space-y-6" noValidate>
      {Object.entries(hidden ?? {}).map(([k, val]) => <input key={k} type="hidden" name={k} value={val} />)}
      <fieldset className="grid gap-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200 md:grid-cols-2">
        <legend className="sr-only">About</legend>
        <Input label="Name" name="name" defaultValue={v("name")} required error={errors.name} className="md:col-span-2" />
        {showSlug && <Input label="Address (slug, optional)" name="slug" defaultValue={v("slug")} error={errors.slug} hint="Lower-case letters, digits and hyphens; made from the name when empty." />}
        <Select label="Visibility" name="visibility" defaultValue={v("visibility") || "public"} error={errors.visibility} options={[["public", "Public: anyone signed in may contribute"], ["invite", "Invite-only"]]} />
        <TextArea label="Description" name="description" defaultValue={v("description")} rows={2} error={errors.description} className="md:col-span-2" />
        <TextArea label="Guidelines (Markdown)" name="guidelines" defaultValue={v("guidelines")} rows={6} error={errors.guidelines} className="md:col-span-2" hint="Shown to contributors. Raw HTML is not rendered." />
      </fieldset>

      <fieldset disabled={rubricLocked} className="grid gap-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold text-slate-900">Rubric</legend>
        {rubricLocked && <p className="text-sm text-amber-800 md:col-span-2">The rubric is locked: judgments already use it.</p>}
        <Select label="Scale" name="rubricType" defaultValue={rubricType} onChange={(e) => setRubricType(e.target.value)} error={errors.rubricType} options={[["likert", "Likert (numeric scale)"], ["binary", "Binary"], ["categorical", "Categorical"], ["pairwise", "Pairwise A/B"]]} />
        {rubricType === "likert" && (
          <>
            <div className="grid grid-cols-2 gap-3">
              <Input label="Lowest" name="likertMin" type="number" defaultValue={v("likertMin") || "1"} error={errors.likertMin} />
              <Input label="Highest" name="likertMax" type="number" defaultValue={v("likertMax") || "5"} error={errors.likertMax} />
            </div>
            <TextArea label="Labels (optional, one per line: 1: Poor)" name="likertLabels" defaultValue={v("likertLabels")} rows={3} error={errors.likertLabels} className="md:col-span-2" />
          </>
        )}
        {rubricType === "binary" && (
          <div className="grid grid-cols-2 gap-3">
            <Input label="Label for 0" name="binaryLabel0" defaultValue={v("binaryLabel0") || "No"} error={errors.binaryLabel0} />
            <Input label="Label for 1" name="binaryLabel1" defaultValue={v("binaryLabel1") || "Yes"} />
          </div>
        )}
        {rubricType === "categorical" && <TextArea label="Options (one per line)" name="categoricalOptions" defaultValue={v("categoricalOptions")} rows={4} error={errors.categoricalOptions} />}
        {rubricType === "pairwise" && (
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" name="allowTie" defaultChecked={v("allowTie") === "on"} className="size-4 rounded border-slate-300" />
            Allow a tie
          </label>
        )}
        <Input label="Ratings per routed item (k)" name="k" type="number" min={1} max={50} defaultValue={v("k") || "3"} error={errors.k} hint="With k_min set (below), the most an item collects." />
      </fieldset>

      <fieldset className="grid gap-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold text-slate-900">Tail score and thresholds</legend>
        <Input label="Stratification key (metadata field)" name="stratificationKey" defaultValue={v("stratificationKey")} error={errors.stratificationKey} hint="e.g. language; groups items for group rarity and reports." />
        <Select label="Tail-score method" name="tailMethod" defaultValue={v("tailMethod") || ""} error={errors.tailMethod} options={[["", "Automatic (group if a key is set, else text)"], ["group", "Group rarity"], ["text", "Text rarity (character n-grams)"], ["embedding", "Embedding rarity (vectors in the import)"], ["provided", "Provided in the import"]]} />
        <Input label="Confidence threshold c" name="confidenceThreshold" type="number" step="0.01" min={0} max={1} defaultValue={v("confidenceThreshold") || "0.6"} error={errors.confidenceThreshold} hint="Judge confidence below c → always to people (π = 1)." />
        <Input label="Tail threshold t" name="tailThreshold" type="number" step="0.01" min={0} max={1} defaultValue={v("tailThreshold") || "0.8"} error={errors.tailThreshold} hint="Tail score at least t → always to people (π = 1)." />
        <Input label="Control rate p" name="controlRate" type="number" step="0.01" min={0} max={1} defaultValue={v("controlRate") || "0.1"} error={errors.controlRate} hint="Share of the other items drawn at random (π = p)." />
      </fieldset>

      <fieldset className="grid gap-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold text-slate-900">Routing policy</legend>
        <Select label="Policy" name="routingKind" defaultValue={policyKind} onChange={(e) => setPolicyKind(e.target.value)} error={errors.routingKind} options={POLICY_OPTIONS} className="md:col-span-2" hint={`${POLICY_HINT[policyKind] ?? ""} A change applies from the next routing run; earlier runs keep the policy they used.`} />
        <Input
          label={policyKind === "active" ? "Budget per round (items)" : "Budget (optional)"}
          name="budget"
          type="number"
          min={1}
          defaultValue={v("budget")}
          error={errors.budget}
          hint={policyKind === "active" ? `Required: how many items one round sends to people, on average.${poolNote}` : `Cap on routed items; π ∝ priority, capped at 1.${poolNote}`}
        />
        {policyKind === "active" && (
          <Input label="Floor π_min" name="piMin" type="number" step="0.01" min={0} max={1} defaultValue={v("piMin")} error={errors.piMin} hint="Required, above 0 and at most 1: the smallest chance any item has of being drawn in a round. π_min × items must fit in the budget." />
        )}
        <Input label="Trust target" name="trustTarget" type="number" step="0.01" min={0} max={1} placeholder="0.9" defaultValue={v("trustTarget")} error={errors.trustTarget} hint="The agreement with people the judge should reach, between 0 and 1 (0.9: on 9 items in 10). The report certifies groups that reach it; escalate sends the others to people. Empty: 0.9." />
        <Input label="Error level δ" name="trustDelta" type="number" step="0.01" min={0} max={1} placeholder="0.1" defaultValue={v("trustDelta")} error={errors.trustDelta} hint="The chance a certificate may be wrong, between 0 and 1 (0.1: 1 in 10). Smaller needs more ratings before a group is certified. Empty: 0.1." />
      </fieldset>

      <fieldset className="grid gap-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold text-slate-900">Rating work and consensus</legend>
        <Input label="Stop early at k_min agreeing ratings" name="kMin" type="number" min={1} max={50} placeholder="empty: always k" defaultValue={v("kMin")} error={errors.kMin} hint="Leave empty to collect k ratings of every item. With k_min set (at most k), an item stops after k_min ratings that agree and collects up to k when they do not." />
        {rubricType === "likert" ? (
          <Input label="Agree distance (Likert)" name="agreeDistance" type="number" step="0.5" min={0} max={20} defaultValue={v("agreeDistance") || "0"} error={errors.agreeDistance} hint="Ratings at most this many points apart count as agreeing for k_min; 0: only identical ratings agree." />
        ) : (
          <p className="self-end text-xs text-slate-500">On this scale ratings agree when they are identical.</p>
        )}
        <Input label="Gold rate (%)" name="goldRate" type="number" step="0.1" min={0} max={100} defaultValue={v("goldRate") || "0"} error={errors.goldRate} hint="Share of assignments that are gold items (known answers), when the campaign has any." />
        <Input label="Lease time (minutes)" name="leaseMinutes" type="number" min={1} max={1440} defaultValue={v("leaseMinutes") || "10"} error={errors.leaseMinutes} hint="How long an item stays reserved for the person rating it (1–1440)." />
        <Select label="Consensus" name="consensus" defaultValue={v("consensus")} error={errors.consensus} options={CONSENSUS_OPTIONS} className="md:col-span-2" hint="How the report combines people's ratings of an item. Rubric default: median on Likert, majority vote otherwise. Median needs a Likert or binary scale, mean a Likert one." />
        <TextArea label="Image hosts allowed (one per line)" name="allowedImageHosts" defaultValue={v("allowedImageHosts")} rows={2} error={errors.allowedImageHosts} className="md:col-span-2" hint="Images in outputs and guidelines load only from these hosts, over https (e.g. upload.wikimedia.org). Any other image is shown as a link naming its host, so nobody learns who looks at what." />
      </fieldset>

      {state?.error && (
        <div role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">
          <p>{state.error}</p>
          {unplaced.length > 0 && <ul className="mt-1 list-disc pl-5">{unplaced.map(([k, m]) => <li key={k}>{m}</li>)}</ul>}
        </div>
      )}
      {state?.success && <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{state.success}</p>}
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : submitLabel}</Button>
    </form>
  );
}

