import { ButtonLink } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";

const steps = [
  { title: "Import", text: "Bring model outputs with your AI judge's score, confidence and rationale (JSONL or CSV)." },
  { title: "Find the tail", text: "Margin scores how rare each item is: rare languages, rare topics, unusual inputs." },
  { title: "Route to people", text: "Rare and low-confidence items go to community raters, plus a random control sample with known probabilities." },
  { title: "Rate blind", text: "Contributors rate without seeing the judge, with keyboard shortcuts and clear guidelines." },
  { title: "Report the gap", text: "See where the judge disagrees with people, by tail bucket and group, with honest confidence intervals." },
  { title: "Export evidence", text: "Auditors take items, judgments and reports away with a checksummed manifest." },
];

export default function LandingPage() {
  return (
    <div className="space-y-12">
      <section className="grid gap-8 pt-6 lg:grid-cols-[3fr_2fr] lg:items-center">
        <div>
          <p className="text-sm font-semibold uppercase tracking-wider text-indigo-700">Participatory human evaluation</p>
          <h1 className="mt-2 text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">
            Find where your AI judge fails: on the tail.
          </h1>
          <p className="mt-4 max-w-2xl text-lg leading-8 text-slate-600">
            LLM-as-a-judge works on the bulk of a distribution and breaks on rare languages, rare topics and unusual
            inputs. Margin sends exactly those items to people, keeps a random control sample so the numbers stay
            unbiased, and reports the judge–human gap with confidence intervals you can defend.
          </p>
          <div className="mt-6 flex flex-wrap gap-3">
            <ButtonLink href="/campaigns">Browse campaigns</ButtonLink>
            <ButtonLink href="/signin" variant="secondary">
              Sign in
            </ButtonLink>
          </div>
        </div>
        <Card>
          <CardBody className="space-y-3 text-sm text-slate-700">
            <p className="font-semibold text-slate-900">Why routing needs statistics</p>
            <p>
              Looking only where you aimed is biased. Every item gets a known inclusion probability π, and every figure
              is re-weighted by 1/π (Hájek, prediction-powered inference), so a report speaks for the whole population,
              not just the items people saw.
            </p>
          </CardBody>
        </Card>
      </section>
      <section aria-labelledby="how">
        <h2 id="how" className="text-xl font-semibold text-slate-900">
          How it works
        </h2>
        <ol className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {steps.map((s, i) => (
            <li key={s.title} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
              <p className="text-xs font-semibold text-indigo-700">Step {i + 1}</p>
              <p className="mt-1 font-semibold text-slate-900">{s.title}</p>
              <p className="mt-1 text-sm text-slate-600">{s.text}</p>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
