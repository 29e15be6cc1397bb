CREATE TABLE "episode_outcomes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"episode_id" uuid NOT NULL,
	"provisional" boolean NOT NULL,
	"episode_closed" boolean NOT NULL,
	"attended_treatment_sessions" integer NOT NULL,
	"talking_therapies" jsonb,
	"talking_therapies_reason" text,
	"clinical_significance" jsonb,
	"clinical_significance_reason" text,
	"scorer_version" text NOT NULL,
	"rules_version" text NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "episode_outcomes" ADD CONSTRAINT "episode_outcomes_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episode_outcomes" ADD CONSTRAINT "episode_outcomes_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episode_outcomes" ADD CONSTRAINT "episode_outcomes_episode_id_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."episodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "episode_outcomes_episode_idx" ON "episode_outcomes" USING btree ("episode_id");--> statement-breakpoint
CREATE INDEX "episode_outcomes_org_idx" ON "episode_outcomes" USING btree ("org_id","client_id");