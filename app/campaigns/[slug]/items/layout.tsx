import { gateCampaign } from "@/components/auth/campaign-gate";

// The access check runs here, outside the loading boundary of the pages below: a page that streams its loading
// state first has already answered 200, so a refusal there could not be a real 404, 403 or sign-in redirect.
// judge:read (researchers and auditors; never annotators, who rate blind). The pages check again themselves.
export default async function ItemsLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const gate = await gateCampaign(slug, "judge:read");
  if (gate.denied) return gate.denied;
  return children;
}
