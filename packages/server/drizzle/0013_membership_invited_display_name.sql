ALTER TABLE "memberships" ADD COLUMN "invited_display_name" text;--> statement-breakpoint
-- Invitations outstanding before this column: keep showing the name they showed, and mark them not joined.
UPDATE "memberships" SET "invited_display_name" = "users"."display_name" FROM "users" WHERE "users"."id" = "memberships"."user_id" AND "memberships"."status" = 'invited';
