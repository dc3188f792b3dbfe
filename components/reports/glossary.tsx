import type { ReactNode } from "react";

export type GlossaryTerm =
  | "alpha"
  | "kappa"
  | "kappa-weighted"
  | "rho"
  | "bias"
  | "pi"
  | "hajek"
  | "q-bh"
  | "kish"
  | "ceiling"
  | "trust"
  | "yield"
  | "agreement";

type Entry = { term: GlossaryTerm; name: string; formula: ReactNode; reading: string };

/** Every figure the report shows: its formula, and one line on how to read it. */
export const GLOSSARY: Entry[] = [
  {
    term: "agreement",
    name: "Judge agrees (exact agreement)",
    formula: <>Σ w<sub>i</sub>·[judge<sub>i</sub> = consensus<sub>i</sub>] / Σ w<sub>i</sub>, w<sub>i</sub> = 1/π<sub>i</sub></>,
    reading: "The share of items on which the AI judge gives the same rating as the human consensus, weighted so it speaks for every item, not just the ones people rated.",
  },
  {
    term: "ceiling",
    name: "Humans agree (the human ceiling)",
    formula: <>Σ w<sub>i</sub>·(pairs of raters of item i who agree / pairs of raters of item i) / Σ w<sub>i</sub></>,
    reading:
      "How often two people rating the same item agree. The judge is compared with the consensus of several people, which is steadier than any one person, so it can score above this ceiling without being better than a person.",
  },
  {
    term: "alpha",
    name: "Krippendorff's α (human–human)",
    formula: <>α = 1 − D<sub>o</sub> / D<sub>e</sub> (observed over expected disagreement among the human ratings)</>,
    reading: "Agreement among people beyond chance: 1 is perfect, 0 is what random ratings would give, below 0 is systematic disagreement.",
  },
  {
    term: "kappa",
    name: "Cohen's κ, unweighted (judge vs consensus)",
    formula: <>κ = (p<sub>o</sub> − p<sub>e</sub>) / (1 − p<sub>e</sub>), p<sub>e</sub> = Σ<sub>c</sub> p<sub>judge</sub>(c)·p<sub>consensus</sub>(c)</>,
    reading: "Judge–human agreement beyond what two raters with the same rating habits would reach by chance; every disagreement counts the same.",
  },
  {
    term: "kappa-weighted",
    name: "Cohen's κ, weighted (linear, quadratic)",
    formula: <>κ<sub>w</sub> = 1 − Σ v<sub>jk</sub> p<sub>jk</sub> / Σ v<sub>jk</sub> p<sub>j·</sub>p<sub>·k</sub>, v<sub>jk</sub> = |j − k| (linear) or (j − k)² (quadratic)</>,
    reading: "The same on an ordered scale, where a near miss (4 vs 5) costs less than a far one (1 vs 5).",
  },
  {
    term: "rho",
    name: "Spearman's ρ",
    formula: <>ρ = weighted Pearson correlation of the ranks of judge and consensus scores</>,
    reading: "Whether the judge orders items like people do (1: same order), even if its scale is shifted.",
  },
  {
    term: "bias",
    name: "Judge bias",
    formula: <>bias = Σ w<sub>i</sub>(judge<sub>i</sub> − consensus<sub>i</sub>) / Σ w<sub>i</sub> (prediction-powered: the judge’s mean over all items, corrected by the weighted errors on the rated ones)</>,
    reading: "How many scale points the judge rates above (+) or below (−) people on average; 0 is no systematic lean.",
  },
  {
    term: "pi",
    name: "π (inclusion probability)",
    formula: <>π<sub>i</sub> = P(item i is sent to people); 1 for tail and low-confidence items, p for the control sample</>,
    reading: "Why the report can generalise: an item drawn with chance π stands for 1/π items like it.",
  },
  {
    term: "hajek",
    name: "Hájek estimator",
    formula: <>θ̂ = Σ y<sub>i</sub>/π<sub>i</sub> / Σ 1/π<sub>i</sub> over rated items</>,
    reading: "The corrected estimate: a weighted mean that undoes the routing's preference for rare and unsure items.",
  },
  {
    term: "kish",
    name: "Kish effective n",
    formula: <>n<sub>eff</sub> = (Σ w<sub>i</sub>)² / Σ w<sub>i</sub>²</>,
    reading: "How many equally weighted items the weighted sample is worth; intervals use it, so unequal weights widen them honestly.",
  },
  {
    term: "q-bh",
    name: "q value (Benjamini–Hochberg)",
    formula: <>q<sub>(k)</sub> = min<sub>j ≥ k</sub> m·p<sub>(j)</sub>/j over the m one-sided tests “worse than the reference”</>,
    reading: "A group flagged at q below 0.05 is worse than the reference with at most 5 % of such flags expected to be false.",
  },
  {
    term: "trust",
    name: "Trust threshold",
    formula: <>the lowest confidence c with a Clopper–Pearson lower bound of agreement ≥ target at level 1 − δ, tested from high confidence down</>,
    reading: "Above this judge confidence the judge can be trusted in this group; below it, items should go to people.",
  },
  {
    term: "yield",
    name: "Failure yield",
    formula: <>judge errors found / human labels spent, per sampling reason and round</>,
    reading: "Which kind of sampling finds the judge's mistakes fastest per label paid for.",
  },
];

/** A small “?” link from a header to its glossary entry (on the report page, #glossary-<term>). */
export function GlossaryLink({ term, label }: { term: GlossaryTerm; label?: string }) {
  const entry = GLOSSARY.find((e) => e.term === term);
  return (
    <a
      href={`#glossary-${term}`}
      className="ml-1 inline-flex size-4 items-center justify-center rounded-full text-[10px] font-bold normal-case text-indigo-700 ring-1 ring-indigo-300 hover:bg-indigo-50"
      aria-label={`What is ${label ?? entry?.name ?? term}? (glossary)`}
      title={entry?.reading}
    >
      ?
    </a>
  );
}

/** The glossary section: each figure with its formula and one line on how to read it. */
export function Glossary() {
  return (
    <section id="glossary" aria-labelledby="glossary-title" className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 id="glossary-title" className="text-base font-semibold text-slate-900">Glossary: what each figure means</h2>
      <dl className="mt-3 grid gap-4 md:grid-cols-2">
        {GLOSSARY.map((e) => (
          <div key={e.term} id={`glossary-${e.term}`} className="scroll-mt-20 rounded-md p-2 target:bg-amber-50 target:ring-1 target:ring-amber-300">
            <dt className="text-sm font-semibold text-slate-900">{e.name}</dt>
            <dd className="mt-1 font-mono text-xs text-slate-700">{e.formula}</dd>
            <dd className="mt-1 text-sm text-slate-600">{e.reading}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
