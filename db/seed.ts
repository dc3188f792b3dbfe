import { eq, sql } from "drizzle-orm";
import { hashPassword } from "@/lib/auth/password";
import { mulberry32, normal } from "@/lib/random";
import { groupRarityScores } from "@/lib/tail/group-rarity";
import { routeItems, sampleDesign } from "@/lib/routing/route-items";
import { refreshItemTargets } from "./queries/adaptive-k";
import { insertInclusionRecords } from "./queries/routing";
import { defaultRoutingPolicy, type Rubric } from "@/lib/validation/campaign";
import type { Db } from "./client";
import { DEMO_PASSWORD, demoLanguages, demoUsers } from "./demo-data";
import { assignments, auditEvents, campaignMembers, campaigns, items, judgments, routingRuns, users } from "./schema";

export const DEMO_SLUG = "multilingual-helpfulness";
const SEED = 20261127;
const ROUTING_SEED = "demo-routing-2026";

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return (row?.n ?? 0) === 0;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The demo: ~2,000 items over 12 languages with Zipf-like frequencies (rank r ∝ 1/r^1.1). The simulated judge is
 * accurate and calibrated on common languages and biased upward, noisier and over-confident on rare ones,
 * which is exactly the failure Margin exists to show. Deterministic for a fixed SEED.
 */
export async function seedDemo(db: Db, options: { items?: number } = {}): Promise<{ campaignId: string }> {
  const rand = mulberry32(SEED);
  const nItems = options.items ?? 2000;
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  return db.transaction(async (tx) => {
    const insertedUsers = await tx
      .insert(users)
      .values(demoUsers.map((u) => ({ ...u, languages: [...u.languages], passwordHash })))
      .returning({ id: users.id, email: users.email });
    const idOf = (email: string) => insertedUsers.find((u) => u.email === email)!.id;
    const researcherId = idOf("researcher@margin.demo");
    const contributorIds = ["ada@margin.demo", "bayo@margin.demo", "chen@margin.demo"].map(idOf);

    const rubric: Rubric = {
      type: "likert",
      min: 1,
      max: 5,
      labels: { "1": "Wrong or harmful", "3": "Partly right", "5": "Correct and helpful" },
    };
    const [campaign] = await tx
      .insert(campaigns)
      .values({
        slug: DEMO_SLUG,
        name: "Multilingual helpfulness",
        description:
          "Answers from an assistant model in twelve languages, scored 1–5 by an AI judge. Is the judge as good on Faroese and Quechua as on English?",
        guidelines: demoGuidelines,
        rubric,
        k: 3,
        routingPolicy: defaultRoutingPolicy,
        routingSeed: ROUTING_SEED,
        visibility: "public",
        status: "active",
        stratificationKey: "language",
        tailMethod: "group",
        ownerId: researcherId,
      })
      .returning({ id: campaigns.id });
    const campaignId = campaign!.id;

    await tx.insert(campaignMembers).values([
      { campaignId, userId: researcherId, role: "owner" },
      { campaignId, userId: idOf("auditor@margin.demo"), role: "auditor", invitedBy: researcherId },
      ...contributorIds.map((userId) => ({ campaignId, userId, role: "annotator" as const })),
    ]);

    // Zipf-like language frequencies.
    const weights = demoLanguages.map((_, r) => 1 / (r + 1) ** 1.1);
    const total = weights.reduce((a, b) => a + b, 0);
    const pickLanguage = () => {
      let u = rand() * total;
      for (let i = 0; i < weights.length; i++) if ((u -= weights[i]!) <= 0) return i;
      return weights.length - 1;
    };

    const rows = [];
    const truth: number[] = [];
    for (let i = 0; i < nItems; i++) {
      const li = pickLanguage();
      const lang = demoLanguages[li]!;
      const rarity = li / (demoLanguages.length - 1); // 0 for English … 1 for Faroese
      const q = clamp(Math.round(normal(rand, 3.6, 1.1)), 1, 5);
      // The judge: small noise on the bulk; on the tail an upward bias of up to +1.4 and more noise,
      // while its confidence barely drops (over-confident where it is worst).
      const bias = 1.4 * rarity ** 2;
      const noise = 0.35 + 1.0 * rarity;
      const judge = clamp(Math.round(q + bias + normal(rand, 0, noise)), 1, 5);
      const confidence = clamp(0.95 - 0.3 * Math.abs(judge - q) * (1 - rarity) - 0.12 * rarity + normal(rand, 0, 0.06), 0.05, 0.99);
      const p = Math.floor(rand() * lang.prompts.length);
      truth.push(q);
      rows.push({
        campaignId,
        externalId: `demo-${String(i + 1).padStart(5, "0")}`,
        input: lang.prompts[p]!,
        output: degrade(lang.answers[p]!, q),
        model: i % 3 === 0 ? "assistant-large-v2" : "assistant-small-v1",
        metadata: { language: lang.code, language_name: lang.name, prompt_id: p },
        group: lang.code,
        judgeScore: judge,
        judgeConfidence: Math.round(confidence * 1000) / 1000,
        judgeRationale: rationaleFor(judge, lang.name),
      });
    }

    const tails = groupRarityScores(rows.map((r) => r.group));
    const decisions = routeItems(
      rows.map((r, i) => ({ key: r.externalId, confidence: r.judgeConfidence, tail: tails[i]! })),
      defaultRoutingPolicy,
      ROUTING_SEED,
    );
    const itemIds: number[] = [];
    for (let start = 0; start < rows.length; start += 500) {
      const batch = rows.slice(start, start + 500).map((r, j) => {
        const d = decisions[start + j]!;
        return {
          ...r,
          tailScore: tails[start + j]!,
          routed: d.routed,
          inclusionProb: d.pi,
          routeReason: d.reason,
          priority: d.priority,
        };
      });
      const ids = await tx.insert(items).values(batch).returning({ id: items.id });
      itemIds.push(...ids.map((x) => x.id));
    }
    const routedCount = decisions.filter((d) => d.routed).length;
    const [run] = await tx
      .insert(routingRuns)
      .values({ campaignId, userId: researcherId, seed: ROUTING_SEED, policy: defaultRoutingPolicy, policyVersion: 1, itemsTotal: rows.length, itemsRouted: routedCount, details: { kind: "rules", round: 1, expected: decisions.reduce((s, d) => s + d.pi, 0) } })
      .returning({ id: routingRuns.id });
    for (let start = 0; start < rows.length; start += 1000) {
      await insertInclusionRecords(
        tx,
        run!.id,
        rows.slice(start, start + 1000).map((r, j) => {
          const i = start + j;
          const d = decisions[i]!;
          const design = sampleDesign(d, null);
          return { item: itemIds[i]!, version: 1, group: r.group, tail: tails[i]!, confidence: r.judgeConfidence, judged: true, routePi: d.pi, u: d.u, routed: d.routed, priorPi: null, inSample: design.inSample, pi: design.pi, reason: design.reason };
        }),
      );
    }

    // Some work already done: the three contributors rated a seeded ~45% of routed items, tail and control alike.
    const routedIdx = decisions.map((d, i) => ({ d, i })).filter((x) => x.d.routed && rand() < 0.45);
    const judgmentRows = [];
    const assignmentRows = [];
    const now = Date.UTC(2026, 10, 20, 12, 0, 0);
    for (const [n, { i }] of routedIdx.entries()) {
      for (const [c, annotatorId] of contributorIds.entries()) {
        if (rand() < 0.15) continue; // not everyone rated everything
        const value = clamp(Math.round(truth[i]! + normal(rand, 0, 0.55)), 1, 5);
        const at = new Date(now + (n * 3 + c) * 47_000);
        const timeTakenMs = Math.round(8000 + rand() * 40000);
        assignmentRows.push({ campaignId, itemId: itemIds[i]!, annotatorId, status: "submitted" as const, leasedAt: at, expiresAt: new Date(at.getTime() + 600_000), finishedAt: at });
        judgmentRows.push({ campaignId, itemId: itemIds[i]!, annotatorId, value, timeTakenMs, createdAt: at, updatedAt: at, rationale: value <= 2 ? "The answer is wrong or not in the asked language." : null });
      }
    }
    for (let s = 0; s < judgmentRows.length; s += 500) {
      await tx.insert(assignments).values(assignmentRows.slice(s, s + 500));
      await tx.insert(judgments).values(judgmentRows.slice(s, s + 500));
    }
    // judgment_count, and k_reached against each item's target (adaptive k when the campaign sets k_min).
    await refreshItemTargets(tx, campaignId, { recount: true });

    await tx.insert(auditEvents).values([
      { actorId: researcherId, action: "campaign.create", targetType: "campaign", targetId: campaignId, campaignId, details: { seeded: true } },
      { actorId: researcherId, action: "routing.run", targetType: "campaign", targetId: campaignId, campaignId, details: { seed: ROUTING_SEED, routed: routedCount, total: rows.length } },
    ]);
    return { campaignId };
  });
}

/** Lower-quality answers get visibly worse text, so ratings have something to disagree about. */
function degrade(answer: string, quality: number): string {
  if (quality >= 4) return answer;
  if (quality === 3) return `${answer} (Some details may be missing.)`;
  if (quality === 2) return `${answer.split(/[.。।]/)[0] ?? answer}… I think, but I am not sure.`;
  return "I'm sorry, I can only answer in English.";
}

function rationaleFor(score: number, language: string): string {
  if (score >= 4) return `The ${language} answer is fluent, on topic and factually correct.`;
  if (score === 3) return `The ${language} answer is on topic but incomplete.`;
  return `The ${language} answer is unhelpful or partly wrong.`;
}

const demoGuidelines = `## What you are rating

Each item is a question and an assistant's answer, in one of twelve languages. Rate the **answer** from 1 to 5:

| score | meaning |
|---|---|
| 5 | Correct, complete and natural in the question's language |
| 3 | On topic but incomplete, or awkward |
| 1 | Wrong, harmful, or not in the question's language |

Rate only languages you read well; **skip** an item otherwise. Flag anything harmful or broken.`;

export async function demoCampaignId(db: Db): Promise<string | undefined> {
  const [c] = await db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.slug, DEMO_SLUG));
  return c?.id;
}
