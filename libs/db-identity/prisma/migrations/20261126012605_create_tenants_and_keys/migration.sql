-- CreateTable
CREATE TABLE "tenants" (
    "tn_id" SERIAL NOT NULL,
    "id_tag" VARCHAR(62) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "status" CHAR(1) NOT NULL DEFAULT 'A',
    "roles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "profile_pic" VARCHAR(128),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("tn_id")
);

-- CreateTable
CREATE TABLE "keys" (
    "tn_id" INTEGER NOT NULL,
    "key_id" VARCHAR(16) NOT NULL,
    "public_key" TEXT NOT NULL,
    "private_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "keys_pkey" PRIMARY KEY ("tn_id","key_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenants_id_tag_key" ON "tenants"("id_tag");

-- AddForeignKey
ALTER TABLE "keys" ADD CONSTRAINT "keys_tn_id_fkey" FOREIGN KEY ("tn_id") REFERENCES "tenants"("tn_id") ON DELETE CASCADE ON UPDATE CASCADE;
