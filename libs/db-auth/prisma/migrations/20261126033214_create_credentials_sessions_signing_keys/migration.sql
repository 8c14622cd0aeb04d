-- CreateTable
CREATE TABLE "credentials" (
    "tn_id" INTEGER NOT NULL,
    "id_tag" VARCHAR(62) NOT NULL,
    "password_hash" VARCHAR(255) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "credentials_pkey" PRIMARY KEY ("tn_id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "sid" VARCHAR(64) NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "subject" VARCHAR(62) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_exp" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "kid" VARCHAR(64) NOT NULL,
    "public_key" TEXT NOT NULL,
    "private_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retires_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateIndex
CREATE UNIQUE INDEX "credentials_id_tag_key" ON "credentials"("id_tag");

-- CreateIndex
CREATE INDEX "sessions_tn_id_idx" ON "sessions"("tn_id");

-- CreateIndex
CREATE INDEX "sessions_revoked_idx" ON "sessions"("last_exp");
