import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { CopyLink } from "@/components/members/copy-link";
import { CancelInviteButton, InviteForm, RemoveMemberButton } from "@/components/members/member-forms";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { invitePath } from "@/lib/campaigns/invite-link";
import { listMembers } from "@/lib/campaigns/members";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const gate = await gateCampaign(slug, "campaign:edit");
  if (gate.denied) return gate.denied;
  const loaded = gate;
  const { campaign } = loaded;
  const { members, invites } = await listMembers(await getDb(), campaign.id);
  return (
    <div className="space-y-6">
      <div>
        <Link href={`/campaigns/${slug}`} className="text-sm text-indigo-700 hover:underline">← {campaign.name}</Link>
        <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">Members</h1>
        <p className="mt-1 text-sm text-slate-600">
          {campaign.visibility === "public" ? "Public campaign: any contributor can join and rate. Invite researchers and auditors here." : "Invite-only: only the people listed here can see and rate this campaign."}
        </p>
      </div>
      <Card>
        <CardHeader title="Invite someone" description="Existing accounts join at once; new emails join when they sign up with that email. Margin sends no email: copy the invitation link and send it yourself." />
        <CardBody><InviteForm slug={slug} /></CardBody>
      </Card>
      <Card>
        <CardHeader title={`People (${members.length})`} />
        <Table caption="Campaign members">
          <thead className="bg-slate-50"><tr><Th>Name</Th><Th>Email</Th><Th>Languages</Th><Th>Role</Th><Th /></tr></thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((m) => (
              <tr key={m.userId}>
                <Td className="font-medium text-slate-900">{m.name}</Td>
                <Td>{m.email}</Td>
                <Td>{m.languages.join(", ") || "—"}</Td>
                <Td><Badge tone={m.role === "owner" ? "indigo" : m.role === "auditor" ? "amber" : "slate"}>{m.role}</Badge></Td>
                <Td>{m.role !== "owner" && <RemoveMemberButton slug={slug} userId={m.userId} name={m.name} />}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <Card>
        <CardHeader title={`Pending invitations (${invites.length})`} />
        {invites.length === 0 ? (
          <CardBody><EmptyState title="No pending invitations" /></CardBody>
        ) : (
          <Table caption="Pending invitations">
            <thead className="bg-slate-50"><tr><Th>Email</Th><Th>Role</Th><Th>Link to send</Th><Th /></tr></thead>
            <tbody className="divide-y divide-slate-100">
              {invites.map((i) => (
                <tr key={i.email}>
                  <Td>{i.email}</Td>
                  <Td>{i.role}</Td>
                  <Td className="w-full min-w-[20rem]"><CopyLink path={invitePath(slug, i.email)} label={`Invitation link for ${i.email}`} /></Td>
                  <Td><CancelInviteButton slug={slug} email={i.email} /></Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
