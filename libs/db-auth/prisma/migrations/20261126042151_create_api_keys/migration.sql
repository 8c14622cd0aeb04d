-- CreateTable
CREATE TABLE "api_keys" (
    "key_id" SERIAL NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "key_prefix" VARCHAR(16) NOT NULL,
    "key_hash" VARCHAR(64) NOT NULL,
    "name" VARCHAR(100),
    "scopes" VARCHAR(200),
    "sid" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("key_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_sid_key" ON "api_keys"("sid");

-- CreateIndex
CREATE INDEX "api_keys_tn_id_idx" ON "api_keys"("tn_id");
