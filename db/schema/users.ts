import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { userRole } from "./enums";

// People. Email is stored lower-cased; password_hash is an scrypt string (lib/auth/password.ts) or null
// for OAuth-only accounts. A deleted contributor keeps the row (pseudonymised) so reports stay reproducible.
export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text(),
    role: userRole().notNull().default("contributor"),
    // Sessions carry the version they were issued under; sign-out and a role change bump it, which ends every
    // session issued before (JWT sessions cannot be revoked one by one).
    sessionVersion: integer().notNull().default(0),
    languages: text().array().notNull().default(sql`'{}'::text[]`),
    region: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email), index("users_role_idx").on(t.role)],
);

// Linked OAuth identities (GitHub, Google) for next-auth.
export const oauthAccounts = pgTable(
  "oauth_accounts",
  {
    provider: text().notNull(),
    providerAccountId: text().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] }), index("oauth_accounts_user_idx").on(t.userId)],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
