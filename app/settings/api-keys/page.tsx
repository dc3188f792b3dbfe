import type { Metadata } from "next";
import { getDb } from "@/db";
import { deny } from "@/components/auth/deny";
import { CreateKeyForm, RevokeKeyButton } from "@/components/settings/api-key-forms";
import { Badge } from "@/components/ui/badge";
import { FormattedDate } from "@/components/ui/date";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { listApiKeys } from "@/lib/auth/api-keys";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "API keys" };
const fmt = (d: Date | null) => (d ? <FormattedDate value={d} /> : "—");

export default async function ApiKeysPage() {
  const user = await getCurrentUser();
  if (!user) return deny(new AppError("unauthorized", "Sign in"));
  const keys = await listApiKeys(await getDb(), user.id);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">API keys</h1>
        <p className="mt-1 text-sm text-slate-600">
          Push items from pipelines with <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;key&gt;</code>. A key can do exactly what you can.
        </p>
      </div>
      <Card>
        <CardHeader title="New key" description="The key is shown once. Store it in your secret manager." />
        <CardBody><CreateKeyForm /></CardBody>
      </Card>
      <Card>
        <CardHeader title="Your keys" />
        {keys.length === 0 ? (
          <CardBody><EmptyState title="No API keys yet" description="Create one above to use the API." /></CardBody>
        ) : (
          <Table caption="Your API keys">
            <thead className="bg-slate-50"><tr><Th>Name</Th><Th>Prefix</Th><Th>Created</Th><Th>Last used</Th><Th>Status</Th><Th /></tr></thead>
            <tbody className="divide-y divide-slate-100">
              {keys.map((k) => (
                <tr key={k.id}>
                  <Td className="font-medium text-slate-900">{k.name}</Td>
                  <Td className="font-mono text-xs">{k.prefix}…</Td>
                  <Td>{fmt(k.createdAt)}</Td>
                  <Td>{fmt(k.lastUsedAt)}</Td>
                  <Td>{k.revokedAt ? <Badge tone="rose">revoked</Badge> : <Badge tone="green">active</Badge>}</Td>
                  <Td>{!k.revokedAt && <RevokeKeyButton keyId={k.id} name={k.name} />}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
