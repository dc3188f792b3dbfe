import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { getCurrentUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await getCurrentUser()) redirect("/campaigns");
  return (
    <div className="mx-auto max-w-md py-8">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900">Join Margin as a contributor</h1>
      <p className="mt-1 text-sm text-slate-600">
        Rate model outputs in the languages and topics you know. Researchers look for people who read rare languages.
      </p>
      <SignUpForm />
      <p className="mt-4 text-center text-sm text-slate-600">
        Already have an account? <Link href="/signin" className="font-semibold text-indigo-700 hover:underline">Sign in</Link>
      </p>
    </div>
  );
}
