// An invitation gives a link to send (Margin sends no email): sign-up with the email filled in, then the campaign.
// Following it and signing up with that email claims the invitation.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { auditEvents, campaignInvites, campaignMembers, campaigns, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { invitePath } from "@/lib/campaigns/invite-link";
import { safeRedirectPath } from "@/lib/http/safe-redirect";
import { signUp, signUpSchema } from "@/lib/users/signup";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

describe.each(backends())("invitation links on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let campaignId = "";
  let researcher = "";
  let post: Handler;

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 10 }));
    researcher = (await db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo")))[0]!.id;
    post = ((await import("@/app/api/v1/campaigns/[id]/members/route")) as unknown as { POST: Handler }).POST;
  });
  afterAll(async () => drop());

  it("builds a same-site sign-up link that lands on the campaign", () => {
    const path = invitePath("my-campaign", "new.person+tag@example.org");
    const url = new URL(path, "https://margin.example");
    expect(url.pathname).toBe("/signup");
    expect(url.searchParams.get("email")).toBe("new.person+tag@example.org");
    expect(safeRedirectPath(url.searchParams.get("callbackUrl"))).toBe("/campaigns/my-campaign");
  });

  it("answers an invitation with its link, and signing up with that email claims it", async () => {
    session.current = { user: { id: researcher } };
    const req = new Request(`http://localhost/api/v1/campaigns/${campaignId}/members`, {
      method: "POST",
      headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" },
      body: JSON.stringify({ email: "Newcomer@Example.org", role: "auditor" }),
    });
    const res = await post(req, { params: Promise.resolve({ id: campaignId }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; link: string };
    const db = await getDb();
    const [c] = await db.select({ slug: campaigns.slug }).from(campaigns).where(eq(campaigns.id, campaignId));
    expect(body).toEqual({ status: "pending", link: invitePath(c!.slug, "newcomer@example.org") });
    expect(await db.select().from(campaignInvites).where(eq(campaignInvites.email, "newcomer@example.org"))).toHaveLength(1);

    // The invitee follows the link: the sign-up form has their email; signing up claims the invitation.
    const email = new URL(body.link, "http://localhost").searchParams.get("email")!;
    const { id } = await signUp(db, signUpSchema.parse({ name: "Newcomer", email, password: "a-long-enough-password" }), { ip: "203.0.113.9" });
    const [member] = await db.select().from(campaignMembers).where(and(eq(campaignMembers.campaignId, campaignId), eq(campaignMembers.userId, id)));
    expect(member!.role).toBe("auditor");
    expect(await db.select().from(campaignInvites).where(eq(campaignInvites.email, "newcomer@example.org"))).toHaveLength(0);
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.action, "membership.invite_claim"), eq(auditEvents.actorId, id)))).toHaveLength(1);
  });
});
