CREATE TABLE "job_states" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"state" text NOT NULL,
	"pending" boolean DEFAULT false NOT NULL,
	"phase" text,
	"done" integer DEFAULT 0 NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"error" text,
	"attempt" integer DEFAULT 0 NOT NULL,
	"job_id" text,
	"worker" text,
	"result" jsonb,
	"queued_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_states_kind_key_pk" PRIMARY KEY("kind","key")
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "job_states_state_idx" ON "job_states" USING btree ("state","heartbeat_at");