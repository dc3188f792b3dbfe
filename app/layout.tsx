import type { Metadata } from "next";
import { headers } from "next/headers";
// Fonts for scripts the system may lack, subset by unicode-range (see the @theme block in globals.css).
import "@fontsource/noto-sans-arabic/400.css";
import "@fontsource/noto-sans-hebrew/400.css";
import "@fontsource/noto-sans-devanagari/400.css";
import "@fontsource/noto-sans-bengali/400.css";
import "@fontsource/noto-sans-tamil/400.css";
import "@fontsource/noto-sans-thai/400.css";
import "@fontsource/noto-sans-ethiopic/400.css";
import "./globals.css";
import { SiteHeader } from "@/components/nav/site-header";
import { LocaleProvider } from "@/components/ui/date";
import { getCurrentUser } from "@/lib/auth/session";
import { pickLocale } from "@/lib/format/date";

export const metadata: Metadata = {
  title: { default: "Margin", template: "%s · Margin" },
  description: "Participatory human evaluation: find where AI judges fail on the tail.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  // Dates are rendered in the reader's locale (components/ui/date.tsx); the server knows it from the request.
  const locale = pickLocale((await headers()).get("accept-language"));
  return (
    <html lang="en">
      <body className="min-h-screen">
        <LocaleProvider locale={locale}>
          <SiteHeader user={user} />
          <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
        </LocaleProvider>
        <footer className="mx-auto max-w-6xl px-4 pb-8 text-xs text-slate-500">
          Margin · human evaluation where AI judges are least trustworthy
        </footer>
      </body>
    </html>
  );
}
