ALTER TABLE "users" ADD COLUMN "alert_mobile" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "sms_urgent_alerts" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "sms_urgent_alerts_set_at" timestamp with time zone;