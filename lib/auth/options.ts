import { getServerSession, type NextAuthOptions } from "next-auth";
import { cookies } from "next/headers";
import { AppError } from "@/lib/errors";
import { LINK_COOKIE, linkProviderAccount, readLinkIntent } from "./link-intent";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { getDb } from "@/db";
import { authenticate } from "./credentials";
import { clientIpFrom } from "@/lib/http/client-ip";
import { safeRedirectPath } from "@/lib/http/safe-redirect";
import { linkOAuthUser, providerVerifiedEmail } from "./oauth";
import { endSessions, sessionUser, sessionVersionOf } from "./session-version";

/** Client-visible sign-in error codes (next-auth passes a thrown message through as `error`). */
export const SIGNIN_ERRORS = { throttled: "Throttled", rate_limited: "RateLimited" } as const;

const providers: NextAuthOptions["providers"] = [
  CredentialsProvider({
    name: "Email and password",
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    async authorize(credentials, req) {
      const result = await authenticate(await getDb(), credentials?.email ?? "", credentials?.password ?? "", {
        ip: clientIpFrom(req?.headers as Record<string, unknown> | undefined),
      });
      if (result.ok) return result.user;
      // Unknown email and wrong password both give null (one message); throttling says so, which reveals
      // nothing because failures are counted for unknown emails too.
      if (result.reason === "invalid") return null;
      throw new Error(SIGNIN_ERRORS[result.reason]);
    },
  }),
];
if (process.env.GITHUB_ID && process.env.GITHUB_SECRET) {
  providers.push(GitHubProvider({ clientId: process.env.GITHUB_ID, clientSecret: process.env.GITHUB_SECRET }));
}
if (process.env.GOOGLE_CLIENT_ID && process.env.GOOGLE_CLIENT_SECRET) {
  providers.push(GoogleProvider({ clientId: process.env.GOOGLE_CLIENT_ID, clientSecret: process.env.GOOGLE_CLIENT_SECRET }));
}

export const oauthProviders = providers.filter((p) => p.type === "oauth").map((p) => ({ id: p.id, name: p.name }));

export const authOptions: NextAuthOptions = {
  // Signed JWT sessions: they survive a server restart and need no session table.
  session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
  secret: process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET,
  // __Secure- cookies, Secure flag, SameSite=Lax, HttpOnly whenever the site is served over https.
  useSecureCookies: (process.env.NEXTAUTH_URL ?? "").startsWith("https://"),
  pages: { signIn: "/signin", error: "/signin" },
  providers,
  callbacks: {
    // Where next-auth sends the browser after sign-in or sign-out: this site only, whatever callbackUrl said.
    async redirect({ url, baseUrl }) {
      if (url.startsWith(`${baseUrl}/`) || url === baseUrl) return `${baseUrl}${safeRedirectPath(url.slice(baseUrl.length) || "/", "/")}`;
      return `${baseUrl}${safeRedirectPath(url)}`;
    },
    async signIn({ account, user, profile }) {
      if (account?.type !== "oauth") return true;
      // Linking from settings (lib/auth/link-intent.ts): the person is signed in already and stays so.
      const linked = await linkFromSettings(account.provider, account.providerAccountId);
      if (linked) return linked;
      const email = user.email ?? (profile as { email?: string } | undefined)?.email;
      const emailVerified = await providerVerifiedEmail(account.provider, email, profile as Record<string, unknown> | undefined, account.access_token);
      const id = await linkOAuthUser(await getDb(), { provider: account.provider, providerAccountId: account.providerAccountId, email, name: user.name, emailVerified });
      if (!id) return `/signin?error=${emailVerified ? "OAuthSignin" : "OAuthEmailUnverified"}`;
      user.id = id;
      return true;
    },
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        // The session version at sign-in: a later sign-out or role change bumps it and ends this session.
        token.sv = await sessionVersionOf(await getDb(), user.id);
      }
      return token;
    },
    async session({ session, token }) {
      // Only the id and session version travel in the session; role and membership are read fresh per request.
      return { ...session, user: { ...session.user, id: token.sub, sv: typeof token.sv === "number" ? token.sv : 0 } };
    },
  },
  events: {
    // Signing out ends every session of the person, this one included: a copied cookie is worthless afterwards.
    async signOut({ token }) {
      if (token?.sub) await endSessions(await getDb(), token.sub);
    },
  },
};

/**
 * When a signed intent cookie from the settings page names the person whose current session this is, link the
 * provider account to them and send them back to settings (no new session: they are signed in already). Null when
 * there is no intent for this provider, so sign-in goes on as usual.
 */
async function linkFromSettings(provider: string, providerAccountId: string): Promise<string | null> {
  const jar = await cookies();
  const intent = readLinkIntent(jar.get(LINK_COOKIE)?.value);
  if (!intent || intent.provider !== provider) return null;
  jar.delete(LINK_COOKIE);
  const current = sessionUser(await getServerSession(authOptions));
  const db = await getDb();
  if (!current || current.id !== intent.userId || (await sessionVersionOf(db, current.id)) !== current.sv) return "/settings/privacy?linkError=session";
  try {
    await linkProviderAccount(db, { userId: current.id, provider, providerAccountId });
  } catch (e) {
    if (e instanceof AppError && e.code === "conflict") return "/settings/privacy?linkError=taken";
    throw e;
  }
  return `/settings/privacy?linked=${encodeURIComponent(provider)}`;
}
