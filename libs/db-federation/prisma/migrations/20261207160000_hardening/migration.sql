-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "fanout_extra" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "fanout_since" TIMESTAMPTZ(3),
ADD COLUMN     "retryable" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "waiting_for" VARCHAR(256);

-- CreateIndex
CREATE INDEX "actions_tn_id_waiting_for_idx" ON "actions"("tn_id", "waiting_for");

-- CreateIndex
CREATE INDEX "actions_fanout_since_idx" ON "actions"("fanout_since");

-- CreateTable
CREATE TABLE "refusals" (
    "tn_id" INTEGER NOT NULL,
    "issuer" VARCHAR(62) NOT NULL,
    "count" INTEGER NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "refusals_pkey" PRIMARY KEY ("tn_id","issuer")
);

-- CreateIndex
CREATE INDEX "refusals_count_idx" ON "refusals"("count");
