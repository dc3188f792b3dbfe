import { FormattedDate } from "@/components/ui/date";
import type { ReadFreshness } from "@/db/replica";

const seconds = (ms: number) => `${(ms / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} s`;

/**
 * Where the report was read, in one quiet line: the replica and the moment it had replayed to, or the primary and
 * why. Nothing when no replica is configured (every read is then on the primary, and there is nothing to say).
 */
export function FreshnessLine({ freshness }: { freshness: ReadFreshness }) {
  if (freshness.source === "replica") {
    return (
      <p className="text-xs text-slate-500" data-testid="report-freshness">
        Read from the replica, replayed <FormattedDate value={freshness.replayedAt!} />, {seconds(freshness.lagMs ?? 0)} behind.
      </p>
    );
  }
  if (!freshness.reason) return null;
  return (
    <p className="text-xs text-slate-500" data-testid="report-freshness">
      Read from the primary ({freshness.reason}).
    </p>
  );
}
