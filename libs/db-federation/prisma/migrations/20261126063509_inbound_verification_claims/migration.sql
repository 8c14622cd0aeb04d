-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "claimed_until" TIMESTAMPTZ(3),
ADD COLUMN     "pre_approved" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sender" VARCHAR(45);

-- CreateTable
CREATE TABLE "tenants" (
    "tn_id" INTEGER NOT NULL,
    "id_tag" VARCHAR(62) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("tn_id")
);

-- CreateIndex
CREATE INDEX "actions_status_claimed_until_idx" ON "actions"("status", "claimed_until");
