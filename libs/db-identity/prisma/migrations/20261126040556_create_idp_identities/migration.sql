-- CreateTable
CREATE TABLE "idp_identities" (
    "id_tag" VARCHAR(62) NOT NULL,
    "email" VARCHAR(254),
    "registrar_id_tag" VARCHAR(62) NOT NULL,
    "owner_id_tag" VARCHAR(62),
    "address" VARCHAR(400),
    "address_type" VARCHAR(8),
    "address_updated_at" TIMESTAMPTZ(3),
    "dyndns" BOOLEAN NOT NULL DEFAULT false,
    "lang" VARCHAR(16),
    "status" VARCHAR(10) NOT NULL DEFAULT 'pending',
    "activation_hash" VARCHAR(64),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idp_identities_pkey" PRIMARY KEY ("id_tag")
);

-- CreateTable
CREATE TABLE "idp_api_keys" (
    "id" SERIAL NOT NULL,
    "id_tag" VARCHAR(62) NOT NULL,
    "key_prefix" VARCHAR(16) NOT NULL,
    "key_hash" VARCHAR(64) NOT NULL,
    "name" VARCHAR(100),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "idp_api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idp_registrars" (
    "id_tag" VARCHAR(62) NOT NULL,
    "max_identities" INTEGER NOT NULL,
    "max_storage_bytes" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idp_registrars_pkey" PRIMARY KEY ("id_tag")
);

-- CreateIndex
CREATE UNIQUE INDEX "idp_identities_activation_hash_key" ON "idp_identities"("activation_hash");

-- CreateIndex
CREATE INDEX "idp_identities_registrar_id_tag_idx" ON "idp_identities"("registrar_id_tag");

-- CreateIndex
CREATE INDEX "idp_identities_status_expires_at_idx" ON "idp_identities"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "idp_api_keys_key_hash_key" ON "idp_api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "idp_api_keys_id_tag_idx" ON "idp_api_keys"("id_tag");

-- AddForeignKey
ALTER TABLE "idp_api_keys" ADD CONSTRAINT "idp_api_keys_id_tag_fkey" FOREIGN KEY ("id_tag") REFERENCES "idp_identities"("id_tag") ON DELETE CASCADE ON UPDATE CASCADE;
