-- CreateTable
CREATE TABLE "remote_profiles" (
    "id_tag" VARCHAR(62) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "profile_pic" VARCHAR(128),
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "remote_profiles_pkey" PRIMARY KEY ("id_tag")
);

-- CreateTable
CREATE TABLE "remote_keys" (
    "id_tag" VARCHAR(62) NOT NULL,
    "key_id" VARCHAR(32) NOT NULL,
    "public_key" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "remote_keys_pkey" PRIMARY KEY ("id_tag","key_id")
);

-- CreateTable
CREATE TABLE "remote_fetch_failures" (
    "id_tag" VARCHAR(62) NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "remote_fetch_failures_pkey" PRIMARY KEY ("id_tag")
);

-- AddForeignKey
ALTER TABLE "remote_keys" ADD CONSTRAINT "remote_keys_id_tag_fkey" FOREIGN KEY ("id_tag") REFERENCES "remote_profiles"("id_tag") ON DELETE CASCADE ON UPDATE CASCADE;
