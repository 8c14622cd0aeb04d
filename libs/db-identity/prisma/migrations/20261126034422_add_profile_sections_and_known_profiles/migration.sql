-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "cover_pic" VARCHAR(128),
ADD COLUMN     "x" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "profiles" (
    "tn_id" INTEGER NOT NULL,
    "id_tag" VARCHAR(62) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "profile_pic" VARCHAR(128),
    "status" CHAR(1) NOT NULL DEFAULT 'A',
    "connected" VARCHAR(5) NOT NULL DEFAULT 'false',
    "following" BOOLEAN NOT NULL DEFAULT false,
    "follower" BOOLEAN NOT NULL DEFAULT false,
    "trust" VARCHAR(8),
    "hidden_in_home" BOOLEAN NOT NULL DEFAULT false,
    "roles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "profiles_pkey" PRIMARY KEY ("tn_id","id_tag")
);

-- CreateIndex
CREATE INDEX "profiles_tn_id_name_idx" ON "profiles"("tn_id", "name");

-- AddForeignKey
ALTER TABLE "profiles" ADD CONSTRAINT "profiles_tn_id_fkey" FOREIGN KEY ("tn_id") REFERENCES "tenants"("tn_id") ON DELETE CASCADE ON UPDATE CASCADE;
