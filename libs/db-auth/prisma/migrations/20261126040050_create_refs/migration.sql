-- CreateTable
CREATE TABLE "refs" (
    "ref_id" VARCHAR(64) NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "description" VARCHAR(200),
    "resource_id" VARCHAR(128),
    "access_level" CHAR(1),
    "params" VARCHAR(1000),
    "count" INTEGER,
    "created_by" VARCHAR(62) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "refs_pkey" PRIMARY KEY ("ref_id")
);

-- CreateIndex
CREATE INDEX "refs_tn_id_type_idx" ON "refs"("tn_id", "type");
