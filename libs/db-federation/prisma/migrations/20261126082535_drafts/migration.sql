-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "publish_at" TIMESTAMPTZ(3),
ADD COLUMN     "row_id" BIGSERIAL NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "actions_row_id_key" ON "actions"("row_id");
