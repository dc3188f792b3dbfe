import { pgEnum } from "drizzle-orm/pg-core";

export const userRole = pgEnum("user_role", ["contributor", "researcher", "auditor", "admin"]);
export const memberRole = pgEnum("member_role", ["owner", "researcher", "annotator", "auditor"]);
export const campaignVisibility = pgEnum("campaign_visibility", ["public", "invite"]);
export const campaignStatus = pgEnum("campaign_status", ["draft", "active", "paused", "closed"]);
export const tailMethod = pgEnum("tail_method", ["provided", "group", "embedding", "text"]);
export const routeReason = pgEnum("route_reason", ["low_confidence", "tail", "control", "gold", "prior_labels", "active", "escalate"]);
export const assignmentStatus = pgEnum("assignment_status", ["leased", "submitted", "skipped", "expired"]);
export const judgmentSource = pgEnum("judgment_source", ["app", "import"]);
export const flagReason = pgEnum("flag_reason", ["harmful", "broken", "unclear", "wrong_language", "other"]);
export const flagStatus = pgEnum("flag_status", ["open", "resolved", "dismissed"]);
export const importFormat = pgEnum("import_format", ["csv", "jsonl", "json"]);
// succeeded: every row imported; partial: some rows rejected; empty: the file had no rows; failed: nothing imported.
export const importStatus = pgEnum("import_status", ["running", "succeeded", "failed", "partial", "empty"]);
export const exportFormat = pgEnum("export_format", ["csv", "jsonl", "parquet", "zip"]);
