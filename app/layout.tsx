import type { Metadata } from "next";
import "./globals.css";
import { SiteHeader } from "@/components/nav/site-header";
import { getCurrentUser } from "@/lib/auth/session";

export const metadata: Metadata = {
  title: { default: "Margin", template: "%s · Margin" },
  description: "Participatory human evaluation: find where AI judges fail on the tail.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <SiteHeader user={user} />
        <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
        <footer className="mx-auto max-w-6xl px-4 pb-8 text-xs text-slate-400">
          Margin · human evaluation where AI judges are least trustworthy
        </footer>
      </body>
    </html>
  );
}
