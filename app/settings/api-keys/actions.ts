"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";

// Any signed-in person may hold keys; a key can do exactly what its owner can (same permission checks).
export const createKeyAction = action(z.object({ name: z.string().trim().min(1, "Name the key").max(80) }), async (input, { user, db, ip }) => {
  const { key } = await createApiKey(db, { userId: user.id, name: input.name, ip });
  revalidatePath("/settings/api-keys");
  return { success: key };
});

export const revokeKeyAction = action(z.object({ keyId: z.uuid() }), async (input, { user, db, ip }) => {
  await revokeApiKey(db, { userId: user.id, keyId: input.keyId, ip });
  revalidatePath("/settings/api-keys");
  return { success: "Key revoked." };
});
