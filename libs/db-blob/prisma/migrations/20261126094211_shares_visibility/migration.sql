-- AlterTable
ALTER TABLE "files" ADD COLUMN     "visibility" CHAR(1);

-- CreateTable
CREATE TABLE "share_entries" (
    "id" SERIAL NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "f_id" BIGINT NOT NULL,
    "subject_type" CHAR(1) NOT NULL,
    "subject_id" VARCHAR(253) NOT NULL,
    "permission" CHAR(1) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "created_by" VARCHAR(62) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "share_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "share_entries_tn_id_subject_type_subject_id_idx" ON "share_entries"("tn_id", "subject_type", "subject_id");

-- CreateIndex
CREATE UNIQUE INDEX "share_entries_f_id_subject_type_subject_id_key" ON "share_entries"("f_id", "subject_type", "subject_id");

-- AddForeignKey
ALTER TABLE "share_entries" ADD CONSTRAINT "share_entries_f_id_fkey" FOREIGN KEY ("f_id") REFERENCES "files"("f_id") ON DELETE CASCADE ON UPDATE CASCADE;
