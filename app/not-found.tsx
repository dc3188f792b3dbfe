import { AccessDenied } from "@/components/auth/access-denied";
import { AppError } from "@/lib/errors";

export default function NotFound() {
  return <AccessDenied error={new AppError("not_found", "Not found")} />;
}
