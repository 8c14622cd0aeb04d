-- AlterTable
ALTER TABLE "files" ADD COLUMN     "modified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "parent_id" VARCHAR(48),
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "trashed_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "file_user_data" (
    "f_id" BIGINT NOT NULL,
    "id_tag" VARCHAR(62) NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "starred" BOOLEAN NOT NULL DEFAULT false,
    "accessed_at" TIMESTAMPTZ(3),

    CONSTRAINT "file_user_data_pkey" PRIMARY KEY ("f_id","id_tag")
);

-- CreateIndex
CREATE INDEX "files_tn_id_parent_id_idx" ON "files"("tn_id", "parent_id");

-- AddForeignKey
ALTER TABLE "file_user_data" ADD CONSTRAINT "file_user_data_f_id_fkey" FOREIGN KEY ("f_id") REFERENCES "files"("f_id") ON DELETE CASCADE ON UPDATE CASCADE;
