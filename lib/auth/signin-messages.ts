/** What the sign-in page says for each error code next-auth hands back (in the URL or from signIn()). */
export const SIGNIN_MESSAGES: Record<string, string> = {
  // Same words for an unknown email and a wrong password.
  CredentialsSignin: "Email or password is incorrect.",
  Throttled: "Too many failed attempts for this account from your network. Wait a minute and try again; the wait grows with each failure.",
  RateLimited: "Too many sign-in attempts from your network. Try again later.",
  OAuthEmailUnverified:
    "That provider did not confirm that the email address is yours, so it cannot sign you in to a Margin account. Sign in with your email and password instead; you can then link the provider under Settings → Privacy.",
};

export function signInMessage(code: string | undefined | null, fallback = "Sign-in failed. Check your email and password, or try another method."): string {
  return (code && Object.hasOwn(SIGNIN_MESSAGES, code) ? SIGNIN_MESSAGES[code] : undefined) ?? fallback;
}
