-- CreateTable
CREATE TABLE "blobs" (
    "blob_id" VARCHAR(48) NOT NULL,
    "size" BIGINT NOT NULL,
    "object_key" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blobs_pkey" PRIMARY KEY ("blob_id")
);

-- CreateTable
CREATE TABLE "tenant_blobs" (
    "tn_id" INTEGER NOT NULL,
    "blob_id" VARCHAR(48) NOT NULL,
    "refs" INTEGER NOT NULL,

    CONSTRAINT "tenant_blobs_pkey" PRIMARY KEY ("tn_id","blob_id")
);

-- CreateTable
CREATE TABLE "tenant_usage" (
    "tn_id" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "tenant_usage_pkey" PRIMARY KEY ("tn_id")
);

-- CreateTable
CREATE TABLE "files" (
    "f_id" BIGSERIAL NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "file_id" VARCHAR(48) NOT NULL,
    "status" CHAR(1) NOT NULL,
    "file_tp" VARCHAR(8) NOT NULL DEFAULT 'BLOB',
    "preset" VARCHAR(32),
    "content_type" VARCHAR(200) NOT NULL,
    "file_name" VARCHAR(255) NOT NULL,
    "descriptor" TEXT,
    "owner_tag" VARCHAR(62),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "files_pkey" PRIMARY KEY ("f_id")
);

-- CreateTable
CREATE TABLE "file_variants" (
    "f_id" BIGINT NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "variant" VARCHAR(16) NOT NULL,
    "blob_id" VARCHAR(48) NOT NULL,
    "format" VARCHAR(16) NOT NULL,
    "size" BIGINT NOT NULL,
    "res_x" INTEGER,
    "res_y" INTEGER,

    CONSTRAINT "file_variants_pkey" PRIMARY KEY ("f_id","variant")
);

-- CreateIndex
CREATE UNIQUE INDEX "blobs_object_key_key" ON "blobs"("object_key");

-- CreateIndex
CREATE INDEX "tenant_blobs_blob_id_idx" ON "tenant_blobs"("blob_id");

-- CreateIndex
CREATE INDEX "files_tn_id_status_created_at_idx" ON "files"("tn_id", "status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "files_tn_id_file_id_key" ON "files"("tn_id", "file_id");

-- CreateIndex
CREATE INDEX "file_variants_tn_id_blob_id_idx" ON "file_variants"("tn_id", "blob_id");

-- AddForeignKey
ALTER TABLE "file_variants" ADD CONSTRAINT "file_variants_f_id_fkey" FOREIGN KEY ("f_id") REFERENCES "files"("f_id") ON DELETE CASCADE ON UPDATE CASCADE;
