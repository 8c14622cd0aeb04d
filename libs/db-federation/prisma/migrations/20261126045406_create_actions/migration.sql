-- CreateTable
CREATE TABLE "actions" (
    "tn_id" INTEGER NOT NULL,
    "action_id" VARCHAR(48) NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "sub_type" VARCHAR(32),
    "issuer" VARCHAR(62) NOT NULL,
    "audience" VARCHAR(62),
    "parent_id" VARCHAR(256),
    "subject" VARCHAR(256),
    "content" JSONB,
    "attachments" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "visibility" CHAR(1),
    "flags" VARCHAR(8),
    "status" CHAR(1) NOT NULL,
    "dedup_key" VARCHAR(600),
    "token" TEXT NOT NULL,
    "failure" VARCHAR(300),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "actions_pkey" PRIMARY KEY ("tn_id","action_id")
);

-- CreateIndex
CREATE INDEX "actions_tn_id_status_created_at_idx" ON "actions"("tn_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "actions_tn_id_dedup_key_idx" ON "actions"("tn_id", "dedup_key");
