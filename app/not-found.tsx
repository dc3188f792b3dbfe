import type { Metadata } from "next";
import { RefusalView } from "@/components/auth/access-denied";
import { requestPath } from "@/components/auth/deny";

export const metadata: Metadata = { title: "Not found" };

export default async function NotFound() {
  const path = await requestPath();
  const campaign = path && /^\/campaigns\/[^/]+/.test(path) && !path.startsWith("/campaigns/new");
  return (
    <RefusalView
      status={404}
      title={campaign ? "Campaign not found" : "Not found"}
      text={campaign ? "There is no campaign at this address, or it is invite-only and not shared with you. Check the address, or ask the person who sent it for an invitation." : "There is nothing at this address, or it is not shared with you."}
    />
  );
}
