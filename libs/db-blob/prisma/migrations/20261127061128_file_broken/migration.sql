-- AlterTable
ALTER TABLE "files" ADD COLUMN     "broken_at" TIMESTAMPTZ(3),
ADD COLUMN     "broken_reason" VARCHAR(16);
