-- CreateTable
CREATE TABLE "webauthn_credentials" (
    "credential_id" VARCHAR(512) NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "public_key" TEXT NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" VARCHAR(100),
    "description" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "webauthn_credentials_pkey" PRIMARY KEY ("credential_id")
);

-- CreateIndex
CREATE INDEX "webauthn_credentials_tn_id_idx" ON "webauthn_credentials"("tn_id");
